"""The standard response-processing templates: their URIs and their rules.

Delivery systems recognise a template by its URI and never fetch it, so every spelling
found in the wild is accepted on import (QTI 2.0/2.1/2.2 ``.../question/qti_v2pN/
rptemplates/match_correct``, QTI 3 ``https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/
match_correct.xml``, relative ``match_correct.xml``, the early QTI 2.0 ``rpMatchCorrect``),
while :func:`canonical_template_uri` gives the one spelling to write.

The rules are those of the 1EdTech template files (QTI 2.1 ``rptemplates/*.xml`` and QTI 3
``rptemplates/v3p0/rptemplates/*.xml``, which agree), rebuilt here as element trees in the
QTI 2 spelling so that the evaluator runs them like inline response processing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

MATCH_CORRECT = "match_correct"
MAP_RESPONSE = "map_response"
MAP_RESPONSE_POINT = "map_response_point"
CC2_MATCH = "CC2_match"
CC2_MATCH_BASIC = "CC2_match_basic"
CC2_MAP_RESPONSE = "CC2_map_response"

STANDARD_TEMPLATES: tuple[str, ...] = (MATCH_CORRECT, MAP_RESPONSE, MAP_RESPONSE_POINT)
"""The templates every delivery system ships."""
CC2_TEMPLATES: tuple[str, ...] = (CC2_MATCH, CC2_MATCH_BASIC, CC2_MAP_RESPONSE)
"""The Common Cartridge templates published with QTI 3 (not shipped by every player)."""

_ALIASES: dict[str, str] = {
    "match_correct": MATCH_CORRECT,
    "map_response": MAP_RESPONSE,
    "map_response_point": MAP_RESPONSE_POINT,
    "cc2_match": CC2_MATCH,
    "cc2_match_basic": CC2_MATCH_BASIC,
    "cc2_map_response": CC2_MAP_RESPONSE,
    # QTI 2.0 drafts: http://www.imsglobal.org/xml/imsqti_item_v2p0/rpMatchCorrect
    "rpmatchcorrect": MATCH_CORRECT,
    "rpmapresponse": MAP_RESPONSE,
    "rpmapresponsepoint": MAP_RESPONSE_POINT,
}

_CANONICAL_PATTERNS: dict[str, str] = {
    "2.1": "http://www.imsglobal.org/question/qti_v2p1/rptemplates/{name}",
    "2.2": "http://www.imsglobal.org/question/qti_v2p2/rptemplates/{name}",
    "3.0": "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/{name}.xml",
}


def template_name(uri: str) -> str | None:
    """The standard template a ``template`` URI names, or ``None`` if it names none.

    Only the last path segment counts (without ``.xml``, case-insensitively), so absolute,
    relative and versioned spellings of the same template are all recognised.
    """
    text = uri.strip().replace("\\", "/")
    if not text:
        return None
    path = urlsplit(text).path if "://" in text else text.split("?", 1)[0].split("#", 1)[0]
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last.lower().endswith(".xml"):
        last = last[:-4]
    return _ALIASES.get(last.lower())


def canonical_template_uri(name: str, version: str) -> str:
    """The one URI to write for template ``name`` in QTI ``version`` (2.1, 2.2 or 3.0).

    :raises ValueError: for an unknown template or version, or a CC2 template before 3.0.
    """
    if name not in STANDARD_TEMPLATES + CC2_TEMPLATES:
        raise ValueError(f"unknown response-processing template {name!r}")
    if version not in _CANONICAL_PATTERNS:
        raise ValueError(f"unknown QTI version {version!r}; expected 2.1, 2.2 or 3.0")
    if name in CC2_TEMPLATES and version != "3.0":
        raise ValueError(f"template {name} exists only in QTI 3.0")
    return _CANONICAL_PATTERNS[version].format(name=name)


# -- rules ------------------------------------------------------------------------------


def _el(tag: str, *kids: etree._Element, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.Element(tag, attrs)
    element.text = text
    element.extend(kids)
    return element


def _var(identifier: str) -> etree._Element:
    return _el("variable", identifier=identifier)


def _base(base_type: str, value: str) -> etree._Element:
    return _el("baseValue", text=value, baseType=base_type)


def _set(identifier: str, expression: etree._Element) -> etree._Element:
    return _el("setOutcomeValue", expression, identifier=identifier)


def _if_else(
    condition: etree._Element, then: list[etree._Element], otherwise: list[etree._Element]
) -> etree._Element:
    return _el(
        "responseCondition",
        _el("responseIf", condition, *then),
        _el("responseElse", *otherwise),
    )


def _matches_correct() -> etree._Element:
    return _el("match", _var("RESPONSE"), _el("correct", identifier="RESPONSE"))


def _map_rules(mapper: str) -> list[etree._Element]:
    return [
        _if_else(
            _el("isNull", _var("RESPONSE")),
            [_set("SCORE", _base("float", "0.0"))],
            [_set("SCORE", _el(mapper, identifier="RESPONSE"))],
        )
    ]


def _match_correct_rules() -> list[etree._Element]:
    return [
        _if_else(
            _matches_correct(),
            [_set("SCORE", _base("float", "1"))],
            [_set("SCORE", _base("float", "0"))],
        )
    ]


def _cc2_match_basic_rules() -> list[etree._Element]:
    return [
        _if_else(
            _matches_correct(),
            [
                _set("SCORE", _var("MAXSCORE")),
                _set("FEEDBACKBASIC", _base("identifier", "correct")),
            ],
            [_set("FEEDBACKBASIC", _base("identifier", "incorrect"))],
        )
    ]


def _cc2_map_response_rules() -> list[etree._Element]:
    return [
        *_map_rules("mapResponse"),
        _if_else(
            _el("equal", _var("MAXSCORE"), _var("SCORE"), toleranceMode="exact"),
            [_set("FEEDBACK", _base("identifier", "correct"))],
            [_set("FEEDBACK", _base("identifier", "incorrect"))],
        ),
    ]


def template_rules(name: str) -> list[etree._Element]:
    """Fresh response rules (QTI 2 spelling, no namespace) for a template name."""
    if name in (MATCH_CORRECT, CC2_MATCH):
        return _match_correct_rules()
    if name == MAP_RESPONSE:
        return _map_rules("mapResponse")
    if name == MAP_RESPONSE_POINT:
        return _map_rules("mapResponsePoint")
    if name == CC2_MATCH_BASIC:
        return _cc2_match_basic_rules()
    if name == CC2_MAP_RESPONSE:
        return _cc2_map_response_rules()
    raise ValueError(f"unknown response-processing template {name!r}")
