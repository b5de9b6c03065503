"""QTI 2.1 item documents and packages built for the import tests: a small single-choice
item with a place for an image, zips and PNGs; and choice, order and match interactions
of any size, each optionally with one response the source scores apart (the scoring-proof
tests)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence

#: A single-choice item (``A`` scores 1); ``{ident}`` and ``{image}`` (in the stem) to fill.
CHOICE_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{ident}"
    title="T" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
<correctResponse><value>A</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><p>Pilih. {image}</p>
<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
<simpleChoice identifier="A">Ya</simpleChoice><simpleChoice identifier="B">Tidak</simpleChoice>
</choiceInteraction></itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>"""


def zip_of(members: dict[str, bytes | str]) -> bytes:
    """A zip of ``members`` (name -> bytes or text), deflated, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG of ``width`` x ``height`` pixels, built byte by byte."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{ident}"
    title="{ident}" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="{base}">
<correctResponse>{correct}</correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><p>Soal {ident}.</p>{interaction}</itemBody>
<responseProcessing><responseCondition>
<responseIf><match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue>
</responseIf>{apart}
<responseElse><setOutcomeValue identifier="SCORE"><baseValue baseType="float">0</baseValue>
</setOutcomeValue></responseElse>
</responseCondition></responseProcessing>
</assessmentItem>"""

_APART = """<responseElseIf><match><variable identifier="RESPONSE"/>
<{container}>{values}</{container}></match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">{score}</baseValue>
</setOutcomeValue></responseElseIf>"""


def letters(n: int) -> list[str]:
    """``A``, ``B``, ... then ``C27``, ``C28``, ... (identifiers for ``n`` choices)."""
    return [chr(ord("A") + i) if i < 26 else f"C{i + 1}" for i in range(n)]


def _values(values: Sequence[str], base: str) -> str:
    return "".join(f'<baseValue baseType="{base}">{v}</baseValue>' for v in values)


def _apart(container: str, values: Sequence[str] | None, base: str, score: float) -> str:
    if values is None:
        return ""
    return _APART.format(container=container, values=_values(values, base), score=score)


def choice_item(
    ident: str,
    n: int,
    keys: Sequence[str],
    *,
    max_choices: int = 0,
    apart: Sequence[str] | None = None,
    score: float = 2,
) -> bytes:
    """A multiple-response choice item of ``n`` choices: ``keys`` score 1, and the set
    ``apart`` (if given) scores ``score``; everything else 0."""
    choices = "".join(
        f'<simpleChoice identifier="{c}">Pilihan {c}</simpleChoice>' for c in letters(n)
    )
    interaction = (
        f'<choiceInteraction responseIdentifier="RESPONSE" maxChoices="{max_choices}">'
        f"{choices}</choiceInteraction>"
    )
    return _HEAD.format(
        ident=ident,
        cardinality="multiple",
        base="identifier",
        correct="".join(f"<value>{k}</value>" for k in keys),
        interaction=interaction,
        apart=_apart("multiple", apart, "identifier", score),
    ).encode()


def order_item(
    ident: str, n: int, *, apart: Sequence[str] | None = None, score: float = 2
) -> bytes:
    """An order item of ``n`` choices, correct in alphabetical order (1 point); the order
    ``apart`` (if given) scores ``score``."""
    ids = letters(n)
    choices = "".join(f'<simpleChoice identifier="{c}">Langkah {c}</simpleChoice>' for c in ids)
    return _HEAD.format(
        ident=ident,
        cardinality="ordered",
        base="identifier",
        correct="".join(f"<value>{c}</value>" for c in ids),
        interaction=(
            f'<orderInteraction responseIdentifier="RESPONSE">{choices}</orderInteraction>'
        ),
        apart=_apart("ordered", apart, "identifier", score),
    ).encode()


def match_item(
    ident: str,
    premises: int,
    responses: int,
    correct: Sequence[str],
    *,
    premise_max: int = 1,
    response_max: int = 1,
    max_associations: int = 0,
    apart: Sequence[str] | None = None,
    score: float = 2,
) -> bytes:
    """A match item of premises ``P1..`` and responses ``R1..`` with these ``matchMax``
    values; ``correct`` pairs (``"P1 R2"``) score 1 together, the pairs ``apart`` (if
    given) score ``score``."""
    first = "".join(
        f'<simpleAssociableChoice identifier="P{i}" matchMax="{premise_max}">Premis {i}'
        "</simpleAssociableChoice>"
        for i in range(1, premises + 1)
    )
    second = "".join(
        f'<simpleAssociableChoice identifier="R{i}" matchMax="{response_max}">Jawaban {i}'
        "</simpleAssociableChoice>"
        for i in range(1, responses + 1)
    )
    interaction = (
        f'<matchInteraction responseIdentifier="RESPONSE" maxAssociations="{max_associations}"'
        f' shuffle="false"><simpleMatchSet>{first}</simpleMatchSet>'
        f"<simpleMatchSet>{second}</simpleMatchSet></matchInteraction>"
    )
    return _HEAD.format(
        ident=ident,
        cardinality="multiple",
        base="directedPair",
        correct="".join(f"<value>{pair}</value>" for pair in correct),
        interaction=interaction,
        apart=_apart("multiple", apart, "directedPair", score),
    ).encode()


# -- graphic and association interactions ---------------------------------------------------

#: The image the graphic items' areas are drawn on (``plan.png`` beside the item).
PLAN_WIDTH, PLAN_HEIGHT = 400, 300


def hotspot_item(
    ident: str,
    n: int,
    keys: Sequence[str],
    *,
    max_choices: int = 0,
    apart: Sequence[str] | None = None,
    score: float = 2,
) -> bytes:
    """A hotspot item of ``n`` circles on ``plan.png``: one area to choose when
    ``max_choices`` is 1 (a single response, ``keys[0]`` the key), else several (a
    multiple response, the set ``keys`` scores 1); the response ``apart`` (if given)
    scores ``score``."""
    circles = "".join(
        f'<hotspotChoice identifier="{c}" shape="circle" '
        f'coords="{20 + (i % 12) * 30},{20 + (i // 12) * 30},10" hotspotLabel="Ruang {c}"/>'
        for i, c in enumerate(letters(n))
    )
    interaction = (
        f'<hotspotInteraction responseIdentifier="RESPONSE" maxChoices="{max_choices}">'
        f'<object type="image/png" data="plan.png" width="{PLAN_WIDTH}" '
        f'height="{PLAN_HEIGHT}">Denah</object>{circles}</hotspotInteraction>'
    )
    single = max_choices == 1
    if single and apart is not None:
        apart_rule = (
            '<responseElseIf><match><variable identifier="RESPONSE"/>'
            f'<baseValue baseType="identifier">{apart[0]}</baseValue></match>'
            f'<setOutcomeValue identifier="SCORE"><baseValue baseType="float">{score}'
            "</baseValue></setOutcomeValue></responseElseIf>"
        )
    else:
        apart_rule = _apart("multiple", apart, "identifier", score)
    return _HEAD.format(
        ident=ident,
        cardinality="single" if single else "multiple",
        base="identifier",
        correct="".join(f"<value>{k}</value>" for k in (keys[:1] if single else keys)),
        interaction=interaction,
        apart=apart_rule,
    ).encode()


def graphic_package(item: bytes) -> bytes:
    """A zip of a graphic item (``item.xml``) and its ``plan.png``."""
    return zip_of({"item.xml": item, "plan.png": png(PLAN_WIDTH, PLAN_HEIGHT)})


def associate_item(
    ident: str,
    n: int,
    pairs: Sequence[str],
    *,
    match_max: int = 1,
    max_associations: int = 0,
    apart: Sequence[str] | None = None,
    score: float = 2,
) -> bytes:
    """An associate item of ``n`` choices (each in at most ``match_max`` pairs): the key
    ``pairs`` (``"A B"``) scores 1 together; the set ``apart`` (if given) scores
    ``score``."""
    choices = "".join(
        f'<simpleAssociableChoice identifier="{c}" matchMax="{match_max}">Tokoh {c}'
        "</simpleAssociableChoice>"
        for c in letters(n)
    )
    interaction = (
        '<associateInteraction responseIdentifier="RESPONSE" '
        f'maxAssociations="{max_associations}">{choices}</associateInteraction>'
    )
    return _HEAD.format(
        ident=ident,
        cardinality="multiple",
        base="pair",
        correct="".join(f"<value>{p}</value>" for p in pairs),
        interaction=interaction,
        apart=_apart("multiple", apart, "pair", score),
    ).encode()


def gap_match_item(
    ident: str,
    gaps: int,
    areas: int,
    pairs: Sequence[str],
    *,
    gap_max: int = 1,
    area_max: int = 1,
    apart: Sequence[str] | None = None,
    score: float = 2,
) -> bytes:
    """A graphic gap match on ``plan.png``: ``gaps`` gap images ``G1``... (each placed at
    most ``gap_max`` times) and ``areas`` rectangles ``A``... (each taking at most
    ``area_max``); the key ``pairs`` (``"G1 A"``) scores 1 together, the set ``apart``
    (if given) ``score``."""
    images = "".join(
        f'<gapImg identifier="G{g}" matchMax="{gap_max}" objectLabel="Penanda {g}">'
        f'<object type="image/png" data="plan.png" width="40" height="16"/></gapImg>'
        for g in range(1, gaps + 1)
    )
    rectangles = "".join(
        f'<associableHotspot identifier="{a}" matchMax="{area_max}" shape="rect" '
        f'coords="{10 + i * 40},10,{40 + i * 40},40"/>'
        for i, a in enumerate(letters(areas))
    )
    interaction = (
        '<graphicGapMatchInteraction responseIdentifier="RESPONSE">'
        f'<object type="image/png" data="plan.png" width="{PLAN_WIDTH}" height="{PLAN_HEIGHT}"/>'
        f"{images}{rectangles}</graphicGapMatchInteraction>"
    )
    return _HEAD.format(
        ident=ident,
        cardinality="multiple",
        base="directedPair",
        correct="".join(f"<value>{p}</value>" for p in pairs),
        interaction=interaction,
        apart=_apart("multiple", apart, "directedPair", score),
    ).encode()
