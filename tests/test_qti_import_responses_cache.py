"""The responses an import tries are generated once per shape of interaction
(:class:`itembank.qti_bridge.responses.ResponsesCache`, keyed by
:func:`~itembank.qti_bridge.responses.shape_key`) and their source scores remembered by
position (:meth:`qti.rp.ScoringCache.along`), and every item is still proved on every
response it was proved on before: the key holds everything the responses are made of
(interactions with the same key get the same responses; changing what the responses
depend on changes the key), the item types leave the shared responses as they were
given, and scores by position are the function's own scores, in order only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from itembank.qti_bridge import convert as convert_module
from itembank.qti_bridge.parts import joint_responses
from itembank.qti_bridge.responses import ResponsesCache, responses_for, shape_key
from qti import rp
from qti.model import AreaMapEntry, AreaMapping, SelectPointInteraction
from qti.reader import read_item
from tests.qti.test_qti_rp_cache import item as rp_item
from tests.test_qti_import import TYPES, _targets
from tests.test_qti_import_fast_read import own_export_package


def _interactions(target: Any) -> list[tuple[Any, Any, Any, Any]]:
    """Every ``(item, interaction, declaration, responses given)`` of ``convert``'s
    responses cache while it imports ``target``, by spying on it."""
    seen: list[tuple[Any, Any, Any, Any]] = []

    class Spying(ResponsesCache):
        def responses_for(self, item: Any, interaction: Any, response: Any, extra: Any = ()) -> Any:
            given = super().responses_for(item, interaction, response, extra)
            seen.append((item, interaction, response, given))
            return given

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert_module, "ResponsesCache", Spying)
        convert_module.convert(target, TYPES)
    return seen


def _exactly(responses: Any) -> tuple[Any, str, str]:
    """Responses compared with their types (a list is not a tuple, 1 is not 1.0)."""
    return (repr(responses.values), responses.scope, responses.scope_en)


@pytest.fixture(scope="module")
def handed() -> list[tuple[Any, Any, Any, Any]]:
    found = _interactions(own_export_package("3.0", True))
    found += _interactions(own_export_package("2.1", False))
    for _label, path in _targets():
        found += _interactions(path)
    return found


@pytest.fixture(scope="module")
def asked(handed: list[tuple[Any, Any, Any, Any]]) -> list[tuple[Any, Any, Any]]:
    return [(item, interaction, declaration) for item, interaction, declaration, _ in handed]


def _keyed(asked: list[tuple[Any, Any, Any]]) -> Iterator[tuple[Any, Any, Any, str, Any]]:
    """Each interaction asked with a key: ``(item, interaction, declaration, key, its
    responses made afresh)``."""
    for item, interaction, declaration in asked:
        key = shape_key(interaction, declaration)
        if key is not None:
            made = _exactly(responses_for(item, interaction, declaration))
            yield item, interaction, declaration, key, made


def test_the_same_key_means_the_same_responses(asked: list[tuple[Any, Any, Any]]) -> None:
    by_key: dict[str, tuple[Any, str, str]] = {}
    shared = 0
    for _item, _interaction, _declaration, key, made in _keyed(asked):
        if key in by_key:
            shared += 1
            assert by_key[key] == made, key
        by_key[key] = made
    assert len(by_key) > 30 and shared > 30


def test_the_shared_responses_are_left_as_they_were_made(
    handed: list[tuple[Any, Any, Any, Any]],
) -> None:
    """After the imports (the item types were given the shared responses to read and
    score, item after item), every set the imports' caches handed out is still what
    ``responses_for`` makes."""
    for item, interaction, declaration, given in handed:
        if shape_key(interaction, declaration) is not None:  # (the others are not shared)
            assert _exactly(given) == _exactly(responses_for(item, interaction, declaration))
    # (and the same set was handed to several items)
    assert max(Counter(id(given) for *_, given in handed).values()) > 1


def test_what_the_responses_depend_on_changes_the_key(
    asked: list[tuple[Any, Any, Any]],
) -> None:
    """Each interaction of the own export and corpus, changed in one field the responses
    are made of: the key changes whenever the responses do; the prompt, the texts and
    shuffling change neither."""
    changed = 0
    for item, interaction, declaration, key, made in _keyed(asked):
        for other, other_declaration in _variants(interaction, declaration):
            try:
                remade = _exactly(responses_for(item, other, other_declaration))
            except Exception:
                continue
            if remade != made:
                changed += 1
                assert shape_key(other, other_declaration) != key, (other, other_declaration)
        for same in _text_variants(interaction):
            assert shape_key(same, declaration) == key
            assert _exactly(responses_for(item, same, declaration)) == made
    assert changed > 50


def _variants(interaction: Any, declaration: Any) -> Any:
    """The interaction and declaration, each changed in one thing responses may read."""
    yield interaction, replace(declaration, correct=declaration.correct[:-1])
    yield interaction, replace(declaration, correct=(*declaration.correct, "X Y"))
    yield (
        interaction,
        replace(
            declaration, cardinality="single" if declaration.cardinality != "single" else "multiple"
        ),
    )
    for name in ("max_choices", "max_associations"):
        if hasattr(interaction, name):
            value = getattr(interaction, name) or 0
            yield replace(interaction, **{name: value + 1}), declaration
            yield replace(interaction, **{name: max(value - 1, 0)}), declaration
    for name in ("choices", "hottexts", "sources", "targets", "gap_texts", "gaps", "hotspots"):
        entries = getattr(interaction, name, None)
        if not entries:
            continue
        yield replace(interaction, **{name: entries[:-1]}), declaration
        yield replace(interaction, **{name: entries[::-1]}), declaration
        first = entries[0]
        yield (
            replace(interaction, **{name: (replace(first, identifier="ZZ"), *entries[1:])}),
            declaration,
        )
        if hasattr(first, "match_max"):
            bumped = replace(first, match_max=first.match_max + 1)
            yield replace(interaction, **{name: (bumped, *entries[1:])}), declaration
            yield (
                replace(interaction, **{name: (replace(first, match_max=0), *entries[1:])}),
                declaration,
            )
    if hasattr(interaction, "image") and hasattr(interaction.image, "width"):
        image = interaction.image
        yield replace(interaction, image=replace(image, width=image.width + 7)), declaration
        yield replace(interaction, image=replace(image, height=image.height + 7)), declaration
        yield replace(interaction, image=replace(image, width=float(image.width))), declaration
    mapping = declaration.area_mapping
    if mapping and mapping.entries:
        first = mapping.entries[0]
        moved = replace(first, coords=tuple(c + 3 for c in first.coords))
        yield (
            interaction,
            replace(
                declaration, area_mapping=replace(mapping, entries=(moved, *mapping.entries[1:]))
            ),
        )
        yield (
            interaction,
            replace(declaration, area_mapping=replace(mapping, entries=mapping.entries[1:])),
        )


def _text_variants(interaction: Any) -> Any:
    for name in ("prompt", "content"):
        if hasattr(interaction, name):
            yield replace(interaction, **{name: "<p>lain</p>"})
    if hasattr(interaction, "shuffle"):
        yield replace(interaction, shuffle=not interaction.shuffle)
    for name in ("choices", "sources", "targets", "gap_texts", "hottexts"):
        entries = getattr(interaction, name, None)
        if entries and hasattr(entries[0], "content"):
            yield replace(interaction, **{name: tuple(replace(e, content="lain") for e in entries)})


def test_select_point_keys_tell_the_areas_and_their_numbers_apart() -> None:
    entry = AreaMapEntry("rect", (0, 0, 10, 10), 1.0)
    declaration = read_item(_point_item()).item.responses[0]
    interaction = next(read_item(_point_item()).item.interactions())
    assert isinstance(interaction, SelectPointInteraction)
    base = replace(declaration, area_mapping=AreaMapping((entry,)))
    key = shape_key(interaction, base)
    other = replace(declaration, area_mapping=AreaMapping((replace(entry, value=2.0),)))
    assert shape_key(interaction, other) == key  # the values are not what is tried
    wider = replace(
        interaction, image=replace(interaction.image, width=float(interaction.image.width))
    )
    assert shape_key(wider, base) != key  # 300 and 300.0 make points of other types


def _point_item() -> bytes:
    return b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="P" title="P"
    adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="point">
<areaMapping defaultValue="0"><areaMapEntry shape="rect" coords="0,0,10,10" mappedValue="1"/>
</areaMapping></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody><selectPointInteraction responseIdentifier="RESPONSE" maxChoices="1">
<object type="image/png" data="a.png" width="300" height="200"/></selectPointInteraction>
</itemBody>
<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point"/>
</assessmentItem>"""


# -- scores by position ------------------------------------------------------------------


def test_scores_by_position_are_the_functions_own_in_order_only() -> None:
    cache = rp.ScoringCache()
    values = [None, "A", "B", "C", "A"]
    first = cache.score_function(rp_item("I1"), variable="RESPONSE")
    along = cache.along(first, values)
    assert [along(v) for v in values] == [first(v) for v in values] == [0, 1, 0, 0, 1]
    # a second item sharing the processing, given the same values: the same scores,
    # now known by position
    second = cache.score_function(rp_item("I2"), variable="RESPONSE")
    before = cache.known_scores
    again = cache.along(second, values)
    assert [again(v) for v in values] == [0, 1, 0, 0, 1]
    assert cache.known_scores - before == len(values)
    # values out of order, equal but not the same objects, or another item's processing:
    # scored by the function itself
    out_of_order = cache.along(second, values)
    assert out_of_order("B") == 0 and out_of_order("A") == 1
    other = cache.score_function(rp_item("I3", correct="<value>B</value>"), variable="RESPONSE")
    theirs = cache.along(other, values)
    assert [theirs(v) for v in values] == [0, 0, 1, 0, 0]
    # another variable of the same processing is kept apart
    whole = cache.score_function(rp_item("I4"))
    assert cache.along(whole, [{"RESPONSE": "A"}])({"RESPONSE": "A"}) == 1
    # a function the cache did not give is returned as it is
    plain = rp.score_function(rp_item("I5"), variable="RESPONSE")
    assert cache.along(plain, values) is plain


def test_an_error_is_not_remembered_by_position() -> None:
    from tests.qti.test_qti_rp_cache import _BROKEN

    cache = rp.ScoringCache()
    values = [None, "A"]
    for ident in ("B1", "B2"):
        score = cache.score_function(rp_item(ident, processing=_BROKEN), variable="RESPONSE")
        along = cache.along(score, values)
        with pytest.raises(rp.RPError):
            for value in values:
                along(value)


def test_joint_responses_kept_are_those_of_each_item() -> None:
    """Items with several interactions (the composites of the own export, the corpus's):
    the combinations kept for one are exactly what every item with the same key gets
    made afresh, and an item whose sample depends on the source's scores keeps none."""
    asked: list[tuple[Any, Any]] = []
    real = convert_module.joint_responses

    def spying(item: Any, score: Any, cache: Any = None) -> Any:
        asked.append((item, score))
        return real(item, score, cache)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(convert_module, "joint_responses", spying)
        for target in (own_export_package("3.0", True), own_export_package("2.1", False)):
            convert_module.convert(target, TYPES)
        for _label, path in _targets():
            convert_module.convert(path, TYPES)
    assert len(asked) > 4
    cache = ResponsesCache()
    for _ in range(2):
        for item, score in asked:
            given = joint_responses(item, score, cache)
            assert _exactly(given) == _exactly(joint_responses(item, score))
    assert any(cache.remembers(joint_responses(item, score, cache)) for item, score in asked)
