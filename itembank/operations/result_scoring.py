"""The bank's own scoring of delivered responses, per form.

A :class:`FormScorer` holds, for each entry of an exported form in delivery order, what
reading and scoring its responses needs: the QTI identifier the package gave the item,
the response variable's declaration, the identifiers a candidate can choose, the item
type and the pinned version's content. :meth:`EntryScorer.score_value` takes a response
as a delivery reports it (a QTI value: an identifier, a list, pairs as 2-tuples, a
string, a number, ``None`` for blank), turns it into the bank's response shape with the
type's ``response_from_qti`` and scores it with the type's ``score()``: the same
function the export was proved against. Distinct responses to an item are few (a
single-choice item has its options and a blank), so each is scored once and remembered.

Items a person scores (essays) have no response processing: their score is the rater's,
delivered with the results, checked against the item's maximum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from itembank.answer_key import qti_item_identifier
from itembank.errors import InvalidInput
from itembank.itemtypes import ExportNotSupported, ItemType
from itembank.models import Form, FormEntry
from itembank.operations.export import qti_test_identifier
from itembank.operations.form_report import load_form_entries
from itembank.plugins import PluginHost
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
    MatchInteraction,
    OrderInteraction,
    ResponseDeclaration,
)

__all__ = ["EntryScorer", "FormScorer", "ResponseProblem", "form_scorer"]

_SPLIT = re.compile(r"[;,\s]+")
_PAIR_SPLIT = re.compile(r"\s*;\s*|\s*,\s*")


class ResponseProblem(ValueError):
    """A delivered response the bank cannot read or score: ``code`` is
    ``unknown_option``, ``malformed_response`` or ``score_out_of_range``."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


def _freeze(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


@dataclass
class EntryScorer:
    """How to read and score the responses to one entry of a form."""

    index: int
    entry: FormEntry
    identifier: str
    item_type: ItemType
    content: dict[str, Any]
    max_score: float
    #: The ``RESPONSE`` declaration; ``None`` for items a person scores.
    declaration: ResponseDeclaration | None
    #: Identifiers a response may name (choices; for matching, sources and targets).
    choices: frozenset[str] | None
    sources: frozenset[str] | None = None
    targets: frozenset[str] | None = None
    #: The response declarations of an item with several (a composite item's parts, in
    #: order); its delivered value is ``{identifier: value}``. Empty for one ``RESPONSE``.
    part_declarations: tuple[ResponseDeclaration, ...] = ()
    _memo: dict[Hashable, tuple[Any, float]] = field(default_factory=dict, repr=False)

    @property
    def by_person(self) -> bool:
        return self.declaration is None

    @property
    def item(self) -> Any:
        return self.entry.item

    @property
    def label(self) -> str:
        return f"{self.entry.item.external_id} v{self.entry.version.number}"

    # -- responses as a delivery reports them ------------------------------------------

    def score_value(self, value: Any) -> tuple[Any, float]:
        """The bank's response and score for a delivered QTI value (``None``: blank).

        :raises ResponseProblem: an option the item does not have, a value of the wrong
            shape, a rater's score outside 0..maximum."""
        key = _freeze(value)
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: score it without remembering
            return self._score(value)
        result = self._score(value)
        if len(self._memo) < 10_000:
            self._memo[key] = result
        return result

    def _score(self, value: Any) -> tuple[Any, float]:
        if self.by_person:
            return None, self.rater_score(value)
        if value is not None and not self.part_declarations:
            self._check_identifiers(value)  # several responses: each part's type checks its own
        try:
            response = self.item_type.response_from_qti(self.content, value)
            score = float(self.item_type.score(self.content, response))
        except ValueError as exc:
            raise ResponseProblem(
                "malformed_response",
                f"Jawaban {_show(value)} tidak dapat dibaca untuk soal {self.label}: {exc}",
                f"Response {_show(value)} cannot be read for item {self.label}: {exc}",
            ) from None
        return response, score

    def rater_score(self, value: Any) -> float:
        """A rater's score of an essay: a number from 0 to the item's maximum."""
        if value is None or value == "":
            return 0.0
        try:
            score = float(value)
        except (TypeError, ValueError):
            score = math.nan
        if not math.isfinite(score) or score < 0 or score > self.max_score + 1e-9:
            raise ResponseProblem(
                "score_out_of_range",
                f"Skor penilai {_show(value)} untuk soal uraian {self.label} harus angka "
                f"0 sampai {_num(self.max_score)}.",
                f"The rater's score {_show(value)} for essay item {self.label} must be a "
                f"number from 0 to {_num(self.max_score)}.",
            )
        return score

    def _check_identifiers(self, value: Any) -> None:
        if self.choices is None or self.declaration is None:
            return
        base = self.declaration.base_type
        if base == "identifier":
            for name in value if isinstance(value, list | tuple) else [value]:
                self._known(name, self.choices)
        elif base in ("pair", "directedPair"):
            pairs = value if isinstance(value, list) else [value]
            directed = base == "directedPair" and self.sources is not None
            for pair in pairs:
                if isinstance(pair, tuple | list) and len(pair) == 2:
                    self._known(
                        pair[0], self.sources if directed and self.sources else self.choices
                    )
                    self._known(
                        pair[1], self.targets if directed and self.targets else self.choices
                    )

    def _known(self, name: Any, known: frozenset[str]) -> None:
        if name not in known:
            raise ResponseProblem(
                "unknown_option",
                f"Soal {self.label} tidak memiliki pilihan '{name}' "
                f"(pilihannya: {', '.join(sorted(known))}).",
                f"Item {self.label} has no option '{name}' "
                f"(its options: {', '.join(sorted(known))}).",
            )

    # -- responses as a spreadsheet cell writes them -------------------------------------

    def parse_cell(self, text: str) -> Any:
        """A spreadsheet cell as a QTI value: identifiers (several separated by ``;``,
        ``,`` or spaces), pairs as ``A:1`` (several separated by ``;``), numbers, text;
        an empty cell is blank (``None``). Essays take the rater's score."""
        if not text.strip():
            return None
        if self.declaration is None:
            return text.strip()
        if self.part_declarations:  # a composite item: its parts' cells joined by " | "
            cells = text.split("|")
            if len(cells) != len(self.part_declarations):
                count = len(self.part_declarations)
                raise self._malformed(
                    text,
                    f"{count} jawaban bagian dipisah '|'",
                    f"{count} part responses split by '|'",
                )
            return {
                declaration.identifier: self._parse(declaration, cell.strip(" ") or "")
                for declaration, cell in zip(self.part_declarations, cells, strict=True)
            }
        return self._parse(self.declaration, text)

    def _parse(self, declaration: ResponseDeclaration, text: str) -> Any:
        if not text.strip():
            return None
        cardinality, base = declaration.cardinality, declaration.base_type
        if base == "string":
            return text  # as typed: the item's own rule decides what spaces and case mean
        text = text.strip()
        if base in ("pair", "directedPair"):
            pairs = [self._pair(part) for part in _PAIR_SPLIT.split(text) if part]
            return pairs if cardinality != "single" else pairs[0]
        if base == "identifier":
            parts = [part for part in _SPLIT.split(text) if part]
            if cardinality == "single":
                if len(parts) != 1:
                    raise self._malformed(text, "satu pilihan", "one option")
                return parts[0]
            return parts
        if base in ("float", "integer"):
            try:
                number = float(text.replace(",", ".")) if base == "float" else int(text)
            except ValueError:
                raise self._malformed(text, "angka", "a number") from None
            return number
        if base == "boolean":
            lowered = text.lower()
            if lowered in ("true", "1", "benar", "ya"):
                return True
            if lowered in ("false", "0", "salah", "tidak"):
                return False
            raise self._malformed(text, "true/false", "true/false")
        return text

    def _pair(self, text: str) -> tuple[str, str]:
        parts = [p for p in re.split(r"[:\s]+", text.strip()) if p]
        if len(parts) != 2:
            raise self._malformed(text, "pasangan seperti A:1", "a pair such as A:1")
        return parts[0], parts[1]

    def _malformed(self, text: str, want: str, want_en: str) -> ResponseProblem:
        return ResponseProblem(
            "malformed_response",
            f"Jawaban '{text[:80]}' untuk soal {self.label} harus berupa {want}.",
            f"Response '{text[:80]}' for item {self.label} must be {want_en}.",
        )


@dataclass
class FormScorer:
    """Every entry of one exported form, in delivery order."""

    form: Form
    test_identifier: str
    entries: list[EntryScorer]
    by_identifier: dict[str, EntryScorer]

    @property
    def max_total(self) -> float:
        return sum(entry.max_score for entry in self.entries)


def form_scorer(form: Form, plugins: PluginHost) -> FormScorer:
    """The scorer of ``form``'s entries (the items as the package exported them)."""
    entries: list[EntryScorer] = []
    for index, entry in enumerate(load_form_entries(form)):
        item, version = entry.item, entry.version
        item_type = plugins.item_types.get(item.item_type)
        if item_type is None:
            raise ExportNotSupported(item.item_type)
        identifier = qti_item_identifier(item.external_id, version.number)
        declared = _declarations(item_type, version)
        if len(declared.responses) > 1:
            raise InvalidInput(
                f"results of item {item.external_id} ({item.item_type}) cannot be read: it "
                f"has {len(declared.responses)} response variables and a result holds one per "
                "item",
                [
                    {
                        "field": "form",
                        "message": f"Hasil butir {item.external_id} ({item.item_type}) tidak "
                        f"dapat dibaca: butir ini memiliki {len(declared.responses)} variabel "
                        "jawaban (satu per rumpang), sedangkan hasil memuat satu per butir.",
                        "message_en": f"Results of item {item.external_id} ({item.item_type}) "
                        f"cannot be read: it has {len(declared.responses)} response variables "
                        "(one per gap) and a result holds one per item.",
                    }
                ],
            )
        entries.append(_entry_scorer(index, entry, identifier, item_type, declared))
    return FormScorer(
        form=form,
        test_identifier=qti_test_identifier(form.external_id),
        entries=entries,
        by_identifier={entry.identifier: entry for entry in entries},
    )


def _declarations(item_type: ItemType, version: Any) -> AssessmentItem:
    """The item's QTI model for its declarations and choice identifiers only: built from
    the stored content without converting its HTML (which only the body needs, and which
    costs a hundred times more); a type that needs XHTML gets the full conversion."""
    try:
        return item_type.to_qti("", version.content, identifier="I", title="")
    except ExportNotSupported:
        raise
    except Exception:  # a third-party type that reads its HTML: convert it first
        return item_type.qti_item(version.stem, version.content, identifier="I", title="")


def _entry_scorer(
    index: int, entry: FormEntry, identifier: str, item_type: ItemType, qti_item: AssessmentItem
) -> EntryScorer:
    content = entry.version.content
    max_score = float(item_type.max_score(content))
    if item_type.scored_by_person or qti_item.scored_by_person():
        return EntryScorer(index, entry, identifier, item_type, content, max_score, None, None)
    declaration = next(
        (d for d in qti_item.responses if d.identifier == "RESPONSE"),
        qti_item.responses[0] if qti_item.responses else None,
    )
    choices: set[str] = set()
    sources: set[str] | None = None
    targets: set[str] | None = None
    for interaction in qti_item.interactions():
        if isinstance(interaction, ChoiceInteraction | OrderInteraction):
            choices |= {choice.identifier for choice in interaction.choices}
        elif isinstance(interaction, MatchInteraction):
            sources = {choice.identifier for choice in interaction.sources}
            targets = {choice.identifier for choice in interaction.targets}
            choices |= sources | targets
    return EntryScorer(
        index,
        entry,
        identifier,
        item_type,
        content,
        max_score,
        declaration,
        frozenset(choices) if choices else None,
        frozenset(sources) if sources is not None else None,
        frozenset(targets) if targets is not None else None,
        tuple(qti_item.responses) if len(qti_item.responses) > 1 else (),
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _num(value: float) -> str:
    return f"{value:g}" if value == int(value) else repr(value)
