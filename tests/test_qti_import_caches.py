"""The import's caches change nothing but its speed: :func:`convert` with the scoring
cache (:class:`qti.rp.ScoringCache`: items scored alike share compiled processing and
its scores, also by position in the responses an item of the same shape was given:
``ScoringCache.along``), the HTML cache (:class:`itembank.qti_bridge.html.HtmlCache`:
fragments without images converted once) and the responses cache
(:class:`itembank.qti_bridge.responses.ResponsesCache`: the responses of interactions of
one shape generated once) returns exactly what it returns without them - the same
candidates (content, stems, media, responses checked) and the same report - on the
bank's own export of every type (each item twice, so they share), in QTI 3.0 and 2.1,
and on the public sample corpus."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.qti_bridge import convert as convert_module
from itembank.qti_bridge.html import HtmlCache, xhtml_to_html
from qti import rp
from tests.qti_items import CHOICE_ITEM, zip_of
from tests.test_qti_import import OWN, PNG, PNG_SHA, TYPES, _targets, own_package


def _without_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert_module, "ScoringCache", lambda: None)
    monkeypatch.setattr(convert_module, "HtmlCache", lambda: None)
    monkeypatch.setattr(convert_module, "ResponsesCache", lambda: None)


def _both_ways(monkeypatch: pytest.MonkeyPatch, target: Any) -> convert_module.ImportResult:
    counted: list[rp.ScoringCache] = []

    class Counting(rp.ScoringCache):
        def __init__(self) -> None:
            super().__init__()
            counted.append(self)

    with monkeypatch.context() as patch:
        patch.setattr(convert_module, "ScoringCache", Counting)
        cached = convert_module.convert(target, TYPES)
    with monkeypatch.context() as patch:
        _without_caches(patch)
        plain = convert_module.convert(target, TYPES)
    assert cached == plain
    (cache,) = counted
    return cached, cache  # type: ignore[return-value]


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("labelled", [True, False])
def test_own_export_the_same_with_and_without_caches(
    monkeypatch: pytest.MonkeyPatch, version: str, labelled: bool
) -> None:
    package = own_package(version, 2, labelled)
    result, cache = _both_ways(monkeypatch, package)
    assert len(result.candidates) == 2 * len(OWN)
    assert cache.shared_items >= len(OWN)  # every second copy at least
    assert cache.known_scores > 500


def test_sample_corpus_the_same_with_and_without_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    imported = 0
    for _label, path in _targets():
        result, _cache = _both_ways(monkeypatch, path)
        imported += len(result.candidates)
    assert imported > 50


def test_html_cache_converts_fragments_with_images_every_time() -> None:
    cache = HtmlCache()
    asked: list[str] = []

    def image(src: str) -> str:
        asked.append(src)
        return f"/media/{PNG_SHA}"

    text = "<p>Teks <b>tebal</b></p>"
    pictured = '<p>Gambar <img src="a.png" alt="a"/></p>'
    for _ in range(2):
        assert cache.convert(text, image) == xhtml_to_html(text, image)
        assert (
            cache.convert(pictured, image) == f'<p>Gambar <img src="/media/{PNG_SHA}" alt="a"></p>'
        )
    assert asked == ["a.png", "a.png"]  # the picture converted both times


def test_html_cache_raises_every_time() -> None:
    cache = HtmlCache()

    def refuse(src: str) -> str:
        raise LookupError(src)

    for _ in range(2):
        with pytest.raises(LookupError):
            cache.convert('<p><img src="b.png" alt="b"/></p>', refuse)


def test_an_image_several_items_show_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    members: dict[str, bytes | str] = {"media/shared.png": PNG}
    for n in range(3):
        members[f"items/i{n}.xml"] = CHOICE_ITEM.format(
            ident=f"i{n}", image='<img src="../media/shared.png" alt="g"/>'
        )
    data = zip_of(members)
    checked: list[int] = []
    inspect = convert_module.inspect_image

    def counting(image: bytes, **limits: Any) -> Any:
        checked.append(len(image))
        return inspect(image, **limits)

    monkeypatch.setattr(convert_module, "inspect_image", counting)
    result = convert_module.convert(data, TYPES)
    assert checked == [len(PNG)]
    assert [[m.sha256 for m in c.media] for c in result.candidates] == [[PNG_SHA]] * 3
    assert all(f"/media/{PNG_SHA}" in c.stem for c in result.candidates)


def test_html_cache_is_bounded() -> None:
    cache = HtmlCache(max_length=40, max_chars=60)

    def image(src: str) -> str:
        raise AssertionError(src)

    long = "<p>" + "panjang " * 10 + "</p>"  # over max_length: never kept
    first, second = "<p>Satu dua tiga</p>", "<p>Empat lima enam</p>"
    for fragment in (long, first, second):
        assert cache.convert(fragment, image) == xhtml_to_html(fragment, image)
    assert list(cache._known) == [first]  # the second would pass max_chars
