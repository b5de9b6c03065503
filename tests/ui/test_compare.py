"""Comparing any two versions from the item page; image changes in the diff."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from itembank.operations.media import upload_media
from itembank.operations.reviews import review_version, submit_version
from tests.factories import STEM, World, make_item
from tests.forms_helpers import approve_new_version
from tests.ui.conftest import text


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _three_versions(world: World, plugins: Any) -> Any:
    first = upload_media(world.bank, _png((200, 0, 0)), actor=world.author, max_bytes=200_000)
    second = upload_media(world.bank, _png((0, 0, 200)), actor=world.author, max_bytes=200_000)
    item = make_item(
        world, plugins, stem=f'{STEM}<p><img src="/media/{first.sha256}" alt="Nota lama"></p>'
    )
    submit_version(item.latest_version, actor=world.author)
    review_version(item.latest_version, actor=world.reviewer, decision="approve")
    approve_new_version(world, item, plugins, stem=STEM.replace("12 rim", "15 rim"))
    approve_new_version(
        world,
        item,
        plugins,
        stem=f'{STEM}<p><img src="/media/{second.sha256}" alt="Nota baru"></p>',
    )
    return item, first, second


def test_any_two_versions_are_compared_with_their_image_changes(
    as_user: Any, world: World, plugins: Any
) -> None:
    item, first, second = _three_versions(world, plugins)
    client = as_user("author")
    page = text(client.get(f"/items/{item.external_id}"))
    form = page.split('id="compare-form"')[1].split("</form>")[0]
    assert 'name="from"' in form and 'name="to"' in form
    assert '<option value="2" selected>' in form.split('name="to"')[0]  # the one before
    assert '<option value="3" selected>' in form.split('name="to"')[1]  # the newest

    body = text(client.get(f"/items/{item.external_id}/compare?from=1&to=3"))
    assert "Bandingkan versi" in body
    diff = body.split('id="diff"')[1].split("</section>")[0]
    removed = diff.split('class="diff-image-removed"')[1].split("</li>")[0]
    added = diff.split('class="diff-image-added"')[1].split("</li>")[0]
    assert f'src="/media/{first.sha256}"' in removed and "Gambar dihapus: Nota lama" in removed
    assert f'src="/media/{second.sha256}"' in added and "Gambar ditambahkan: Nota baru" in added

    text_only = text(client.get(f"/items/{item.external_id}/compare?from=1&to=2"))
    assert "diff-image" in text_only.split('id="diff"')[1]  # v2 dropped v1's image
    assert "15" in text_only.split('id="diff"')[1]


def test_a_version_that_does_not_exist_falls_back_to_the_newest_two(
    as_user: Any, world: World, plugins: Any
) -> None:
    item, _first, _second = _three_versions(world, plugins)
    response = as_user("author").get(f"/items/{item.external_id}/compare?from=9&to=x")
    assert response.status_code == 200
    body = text(response)
    assert "Tidak ada versi 9, x yang dapat Anda lihat" in body
    assert "Versi 2 (" in body and "Versi 3 (" in body


def test_the_review_screen_shows_image_changes_too(
    as_user: Any, world: World, plugins: Any
) -> None:
    from itembank.operations.items import start_new_draft, update_draft

    item, first, _second = _three_versions(world, plugins)
    draft = start_new_draft(item, actor=world.author)
    update_draft(draft, actor=world.author, plugins=plugins, base_revision=1, stem=STEM)
    submit_version(draft, actor=world.author)
    body = text(as_user("reviewer2").get(f"/items/{item.external_id}/versions/4/review"))
    assert "Gambar dihapus: Nota baru" in body
    assert first.sha256 not in body.split('class="diff"')[1]


def test_an_incomplete_draft_can_be_shown_and_compared(
    as_user: Any, world: World, plugins: Any
) -> None:
    from itembank.operations.items import start_new_draft, update_draft
    from tests.factories import SINGLE_CHOICE

    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    review_version(item.latest_version, actor=world.reviewer, decision="approve")
    draft = start_new_draft(item, actor=world.author)
    update_draft(
        draft,
        actor=world.author,
        plugins=plugins,
        base_revision=1,
        content={**SINGLE_CHOICE, "key": None},  # no key yet
    )
    client = as_user("author")
    assert client.get(f"/items/{item.external_id}/versions/2").status_code == 200
    compared = client.get(f"/items/{item.external_id}/compare?from=1&to=2")
    assert compared.status_code == 200
    assert "Kunci" in text(compared).split('id="diff"')[1]  # the key went
