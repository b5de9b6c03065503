"""QTI import of ``object`` elements in rich content (``itembank.qti_bridge``): an object
the bank can show as an image becomes its image, its fallback content's text the alt
text; one it cannot show gives way to its fallback, as a browser's does; objects that are
not images, images shown nowhere and missing files are refused with their reason. In the
stem, in options and in a shared passage alike."""

from __future__ import annotations

import hashlib

import pytest

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import ImportResult, convert
from itembank.qti_bridge.html import MAX_ALT, ObjectNotShown, xhtml_to_html
from tests.qti_items import CHOICE_ITEM
from tests.qti_items import png as _png
from tests.qti_items import zip_of as _zip

TYPES = PluginHost(entry_points=False).item_types
PNG = _png(4, 3)
SHA = hashlib.sha256(PNG).hexdigest()
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 4 3\n"


def _import(image: str, **files: bytes) -> ImportResult:
    members: dict[str, bytes | str] = {"item.xml": CHOICE_ITEM.format(ident="o", image=image)}
    members.update({f"img/{name.replace('_', '.')}": data for name, data in files.items()})
    return convert(_zip(members), TYPES, name="objects.zip")


def _refusal(result: ImportResult) -> tuple[str, str, str, int | None]:
    assert not result.candidates
    (entry,) = [e for e in result.report if e.file == "item.xml"]
    assert entry.status == "not_imported"
    return entry.reason, entry.message_en, entry.message, entry.line


def test_a_png_object_is_the_image_its_fallback_the_alt_text() -> None:
    result = _import(
        '<object type="image/png" data="img/a.png" width="40" height="30">'
        '<param name="scale" value="2" valuetype="DATA"/>Peta   <b>kota</b>\n Bandung</object>'
        " di sini.",
        a_png=PNG,
    )
    (candidate,) = result.candidates
    assert candidate.stem == (
        f'<p>Pilih. <img src="/media/{SHA}" alt="Peta kota Bandung" width="40" height="30">'
        " di sini.</p>"
    )
    assert [(m.path, m.sha256, m.media_type) for m in candidate.media] == [
        ("img/a.png", SHA, "image/png")
    ]


@pytest.mark.parametrize(
    ("outer", "shown"),
    [
        # what the bank cannot show (EPS; a file that is not an image) gives way
        ('<object type="image/eps" data="img/p.eps">{inner}</object>', "inner"),
        ('<object type="image/svg+xml" data="img/gone.svg">{inner}</object>', "inner"),
        ('<object data="img/p.eps">{inner}</object>', "inner"),
        # the outermost image the bank can show wins, its whole fallback the alt text
        ('<object type="image/png" data="img/b.png">{inner}</object>', "outer"),
        # no type: the file's content decides
        ('<object data="img/b.png">{inner}</object>', "outer"),
    ],
)
def test_nested_objects_are_chosen_as_a_browser_chooses(outer: str, shown: str) -> None:
    other = _png(5, 5)
    inner = '<object type="image/png" data="img/a.png">Kartu pos</object>'
    result = _import(outer.format(inner=inner), a_png=PNG, b_png=other, p_eps=EPS)
    (candidate,) = result.candidates
    sha = SHA if shown == "inner" else hashlib.sha256(other).hexdigest()
    assert candidate.stem == f'<p>Pilih. <img src="/media/{sha}" alt="Kartu pos"></p>'
    assert [m.sha256 for m in candidate.media] == [sha]


def test_an_img_in_the_fallback_is_shown_too() -> None:
    result = _import(
        '<object type="image/eps" data="img/p.eps">Lihat <img src="img/a.png" alt="peta"/>'
        "</object>",
        a_png=PNG,
        p_eps=EPS,
    )
    (candidate,) = result.candidates
    assert candidate.stem == f'<p>Pilih. Lihat <img src="/media/{SHA}" alt="peta"></p>'


def test_an_eps_object_with_only_text_as_fallback_is_refused() -> None:
    """The text alone would lose the image: refused, saying which object and why."""
    reason, english, indonesian, line = _refusal(
        _import('<object type="image/eps" data="img/p.eps">Kartu pos dari Sam</object>', p_eps=EPS)
    )
    assert (reason, line) == ("unsupported_content", 7)
    assert english.startswith(
        "Content that cannot be kept: the object 'img/p.eps' (image/eps) is not an image the "
        "bank can show (PNG, JPEG or GIF), and its fallback content shows none"
    )
    assert indonesian.startswith(
        "Isi tidak dapat dipertahankan: objek 'img/p.eps' (image/eps) bukan gambar yang dapat "
        "ditampilkan bank (PNG, JPEG atau GIF), dan isi penggantinya tidak menampilkan gambar"
    )


def test_a_video_object_is_refused_even_with_an_image_fallback() -> None:
    reason, english, _indonesian, line = _refusal(
        _import(
            '<object type="video/mp4" data="img/film.mp4">'
            '<object type="image/png" data="img/a.png">Film</object></object>',
            a_png=PNG,
            film_mp4=b"\x00\x00\x00\x18ftypmp42",
        )
    )
    assert (reason, line) == ("unsupported_content", 7)
    assert "object of type 'video/mp4' (<object>)" in english


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        # a missing file is refused, as an img's (a browser would show the fallback)
        ('<object type="image/png" data="img/none.png">Peta</object>', "missing_media"),
        ('<object data="img/none.png">Peta</object>', "missing_media"),
        # a file that claims a type the bank shows is checked as an img's
        ('<object type="image/png" data="img/p.eps">Peta</object>', "unsupported_media"),
        # an untyped file that is no image, shown nowhere
        ('<object data="img/p.eps">Peta</object>', "unsupported_content"),
    ],
)
def test_missing_and_broken_object_files_are_refused(image: str, reason: str) -> None:
    found, english, _indonesian, line = _refusal(_import(image, p_eps=EPS))
    assert (found, line) == (reason, 7)
    assert "img/" in english


def test_the_alt_text_is_bounded_at_a_word() -> None:
    words = " ".join(f"kata{n}" for n in range(200))
    result = _import(f'<object type="image/png" data="img/a.png">{words}</object>', a_png=PNG)
    (candidate,) = result.candidates
    alt = candidate.stem.split('alt="')[1].split('"')[0]
    assert len(alt) <= MAX_ALT and alt.endswith("\u2026")
    assert words.startswith(alt[:-1]) and words[len(alt) - 1] == " "


def test_objects_in_options_are_images_too() -> None:
    item = CHOICE_ITEM.format(ident="o", image="").replace(
        ">Ya<", '><object type="image/png" data="img/a.png">Gambar ya</object><'
    )
    result = convert(_zip({"item.xml": item, "img/a.png": PNG}), TYPES, name="o.zip")
    (candidate,) = result.candidates
    assert candidate.content["options"][0]["text"] == f'<img src="/media/{SHA}" alt="Gambar ya">'


STIMULUS = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-stimulus xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
    identifier="S1" title="Peta">
<qti-stimulus-body><p>Lihat peta ini.</p>
<p><object type="image/eps" data="../img/p.eps"><object type="image/png"
    data="../img/a.png">Peta kota</object></object></p></qti-stimulus-body>
</qti-assessment-stimulus>"""

ITEM3 = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="i"
    title="I" adaptive="false" time-dependent="false">
<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
<qti-correct-response><qti-value>A</qti-value></qti-correct-response>
</qti-response-declaration>
<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
<qti-assessment-stimulus-ref identifier="S1" href="../stimuli/s1.xml" title="Peta"/>
<qti-item-body><p>Pilih.</p>
<qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
<qti-simple-choice identifier="A">Ya</qti-simple-choice>
<qti-simple-choice identifier="B">Tidak</qti-simple-choice></qti-choice-interaction>
</qti-item-body>
<qti-response-processing
    template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>"""


def test_an_object_in_a_shared_passage_is_its_image() -> None:
    package = _zip(
        {
            "items/i.xml": ITEM3,
            "stimuli/s1.xml": STIMULUS,
            "img/a.png": PNG,
            "img/p.eps": EPS,
        }
    )
    result = convert(package, TYPES, name="passage.zip")
    (candidate,) = result.candidates
    assert candidate.passage is not None
    assert candidate.passage.body == (
        f'<p>Lihat peta ini.</p><p><img src="/media/{SHA}" alt="Peta kota"></p>'
    )


def test_the_html_conversion_chooses_without_files() -> None:
    """The pure conversion asks ``shows_object``; without it no object is shown."""
    fragment = (
        '<p><object type="image/eps" data="p.eps"><param name="q" value="1"/> '
        '<object data="a.png" width="4">A</object></object> B</p>'
    )
    asked: list[tuple[str, str]] = []

    def shows(media_type: str, data: str) -> bool:
        asked.append((media_type, data))
        return data == "a.png"

    assert xhtml_to_html(fragment, lambda src: f"/media/{SHA}", shows) == (
        f'<p><img src="/media/{SHA}" alt="A" width="4"> B</p>'
    )
    assert asked == [("image/eps", "p.eps"), ("", "a.png")]
    with pytest.raises(ObjectNotShown) as refused:
        xhtml_to_html(fragment, str)
    # (the innermost object whose fallback shows no image is named)
    assert (refused.value.media_type, refused.value.data) == ("", "a.png")
