"""The QTI import's shortcuts give what the long way gives.

- :func:`itembank.qti_bridge.html.xhtml_to_html` unwraps a ``div`` holding a whole
  fragment before sanitizing it (so the sanitizer's first pass is stable): every fragment
  the import converts (the bank's own export of every type in QTI 3.0 and 2.1, the sample
  corpus) and fragments chosen to tell the cases apart give the same HTML with the
  ``div`` left to the sanitizer.
- An import checks each distinct image once (the items that share it, and storing it,
  use that check): a bad image is still refused for every item that brings it, and
  :func:`itembank.operations.media.upload_media` refuses a check of other bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import itembank.qti_bridge.html as html_module
from itembank.extensions import db
from itembank.media_check import inspect_image
from itembank.models import Media
from itembank.operations.imports import run_import
from itembank.operations.media import upload_media
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import convert
from itembank.qti_bridge.html import xhtml_to_html
from tests.factories import World
from tests.qti_items import CHOICE_ITEM, png, zip_of
from tests.test_qti_import import OWN, TYPES, _targets
from tests.test_qti_import_clean_html import own_package

#: Fragments around the lone ``div``: text before or after it, nested ones, inline
#: content only, a formula, a table, an image, an attribute, layout whitespace.
EDGES = (
    "<div>a</div>",
    "x<div>a</div>",
    "<div>a</div>b",
    "<div>a</div><p>b</p>",
    "<p>a</p><div>b</div>",
    "<div><span>a</span> b</div>",
    '<div lang="en"><p>a</p>b</div>',
    "<div><div>x<p>y</p>z</div></div>",
    "<div><div><p>y</p></div>z</div>",
    "<div>a<br/>b</div>",
    "<div><ul><li>a</li></ul>tail</div>",
    " <div>\n  <p>a</p>\n</div> ",
    '<div><math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math></div>',
    "<div><table><tr><td>a</td></tr></table></div>",
    '<div><img src="a.png" alt="x"/></div>',
    "<div><b>a</b><i>b</i><h2>c</h2></div>",
    "<div></div>",
    "<div> </div>",
)


def _imported_fragments(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every fragment the import converts (each once)."""
    seen: list[str] = []
    convert_fragment = html_module.xhtml_to_html

    def recording(fragment: str, *args: Any) -> str:
        seen.append(fragment)
        return convert_fragment(fragment, *args)

    monkeypatch.setattr(html_module, "xhtml_to_html", recording)
    for version in ("3.0", "2.1"):
        assert len(convert(own_package(version), TYPES).candidates) == len(OWN)
    for _label, path in _targets():
        convert(path, TYPES)
    monkeypatch.undo()
    return list(dict.fromkeys(seen))


def _both_ways(fragment: str) -> Iterator[str]:
    """The fragment's HTML (or the error it raises) with and without the unwrapping."""

    def image(src: str) -> str:
        return "/media/" + hashlib.sha256(src.encode()).hexdigest()

    unwrap = html_module._unwrap_lone_div
    for shortcut in (unwrap, lambda holder: None):
        html_module._unwrap_lone_div = shortcut  # type: ignore[assignment]
        try:
            yield xhtml_to_html(fragment, image, lambda media_type, data: True)
        except Exception as exc:  # the same refusal either way
            yield repr(exc)
        finally:
            html_module._unwrap_lone_div = unwrap


def test_a_lone_div_unwrapped_early_gives_the_same_html(monkeypatch: pytest.MonkeyPatch) -> None:
    fragments = _imported_fragments(monkeypatch)
    with_div = [f for f in fragments if f.lstrip().startswith("<div")]
    assert len(fragments) > 500 and len(with_div) > 20
    for fragment in [*fragments, *EDGES]:
        fast, slow = _both_ways(fragment)
        assert fast == slow, fragment


def test_an_edge_fragment_keeps_its_words_apart() -> None:
    """(The comparison above can fail: text around the div is kept apart as before.)"""
    fast, slow = _both_ways("x<div>a</div>b")
    assert fast == slow and "x" in fast and "a" in fast and "b" in fast
    assert "xa" not in fast.replace("<", " ") and "ab" not in fast.replace("<", " ")


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record the bytes of every image the import's checks decode."""
    import itembank.operations.import_checks as checks

    decoded: list[bytes] = []

    def counted(data: bytes, **kwargs: Any) -> Any:
        decoded.append(data)
        return inspect_image(data, **kwargs)

    monkeypatch.setattr(checks, "inspect_image", counted)
    return decoded


def _run(world: World, plugins: PluginHost, package: bytes, mode: str) -> Any:
    return run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename="gambar.zip",
        data=package,
        mode=mode,
    )


def test_an_image_items_share_is_checked_once_and_stored_once(
    world: World, plugins: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared, own = png(3, 3), png(4, 4)

    def item(ident: str, src: str) -> str:
        return CHOICE_ITEM.format(ident=ident, image=f'<img src="{src}" alt="gambar"/>')

    package = zip_of(
        {
            **{f"{n}.xml": item(f"soal-{n}", "img/shared.png") for n in range(4)},
            "9.xml": item("soal-9", "img/own.png"),
            "img/shared.png": shared,
            "img/own.png": own,
        }
    )
    decoded = _counting_checks(monkeypatch)
    batch = _run(world, plugins, package, "strict")
    assert (batch.status, batch.items_created) == ("completed", 5)
    assert sorted(decoded) == sorted([shared, own])
    stored = db.session.scalars(sa.select(Media.sha256).where(Media.bank_id == world.bank.id))
    assert sorted(stored) == sorted(hashlib.sha256(d).hexdigest() for d in (shared, own))


def test_a_bad_image_is_refused_for_every_item_that_brings_it(
    world: World, plugins: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer's own check is not trusted: the core checks the bytes it is given
    (here an image the importer let through, broken on its way), once, and refuses
    every item with it."""
    import plugins.importers.qti as qti_importer
    from itembank.importing import MediaFile

    good = png(3, 3)
    broken = good[:-20]
    make_item: Callable[..., Any] = qti_importer._candidate_item

    def with_broken_image(candidate: Any, context: Any) -> Any:
        made = make_item(candidate, context)
        made.media = [MediaFile(name=m.name, data=broken) for m in made.media]
        return made

    monkeypatch.setattr(qti_importer, "_candidate_item", with_broken_image)
    decoded = _counting_checks(monkeypatch)
    item = CHOICE_ITEM.format(ident="{ident}", image='<img src="img/a.png" alt="gambar"/>')
    package = zip_of(
        {
            "1.xml": item.replace("{ident}", "soal-1"),
            "2.xml": item.replace("{ident}", "soal-2"),
            "img/a.png": good,
        }
    )
    batch = _run(world, plugins, package, "valid_only")
    assert (batch.items_created, batch.items_rejected) == (0, 2)
    assert decoded == [broken]
    assert db.session.scalars(sa.select(Media).where(Media.bank_id == world.bank.id)).all() == []


def test_upload_media_refuses_a_check_of_other_bytes(world: World) -> None:
    first, second = png(3, 3), png(4, 4)
    info = inspect_image(first, max_bytes=1_000_000)
    with pytest.raises(ValueError, match="other bytes"):
        upload_media(world.bank, second, actor=world.author, max_bytes=1_000_000, checked=info)
    stored = upload_media(world.bank, first, actor=world.author, max_bytes=1_000_000, checked=info)
    assert stored.sha256 == info.sha256
