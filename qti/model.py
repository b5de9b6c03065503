"""A neutral model of a QTI assessment item: plain, immutable dataclasses.

The model says *what* an item is - its variables, its body, how it is scored - in terms
that QTI 2.1, 2.2 and 3.0 share; :mod:`qti.writer` spells it out for one version. It is
what the item types' ``to_qti`` hooks return and what :mod:`qti.reader` reads QTI into, so
it carries no item-bank notions (no database ids, no item type ids).

Names follow QTI: an :class:`AssessmentItem` has :class:`ResponseDeclaration` s (with an
optional correct response and :class:`Mapping`), :class:`OutcomeDeclaration` s, a body of
XHTML blocks (:class:`Html`), blocks with inline interactions inside
(:class:`InlineBlock`) and interactions, and :class:`ResponseProcessing` that is
either a standard template or a small tree of rules. Rule expressions (:class:`Expr`) are
written by their QTI 2 names (``mapResponse``, ``stringMatch``); :mod:`qti.rp` evaluates
every expression the built-in item types use.

Values inside declarations are kept as QTI text (``"A"``, ``"P1 R2"``, ``"2.5"``), the way
they appear in a document; :func:`value_text` turns Python values into that text.

XHTML strings (stems, choices, rubric text) are fragments of the item-bank's sanitized
rich text in XML form (``itembank.sanitize.html_to_xhtml`` on the core side): elements
without a namespace, void elements self-closed. The writer parses them with the hardened
parser and places the elements in the QTI namespace; it never splices strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

# Re-exported: why a string is not a valid QTI identifier (``None`` when it is one).
from qti._checks import identifier_problem as identifier_problem

Cardinality = Literal["single", "multiple", "ordered"]
BaseType = Literal[
    "identifier",
    "string",
    "integer",
    "float",
    "boolean",
    "pair",
    "directedPair",
    "point",
    # read from other items; no item type writes them
    "uri",
    "file",
    "duration",
    "intOrIdentifier",
]
TemplateName = Literal["match_correct", "map_response", "map_response_point"]
ExternalScored = Literal["human", "externalMachine"]


def value_text(value: object) -> str:
    """The QTI text of a Python value: booleans ``true``/``false``, floats by ``repr``
    (which reads back to the same float), pairs and points as two space-separated parts.

    :raises ValueError: for floats that are not finite (QTI has no text for them).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written as a QTI value")
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return f"{value_text(value[0])} {value_text(value[1])}"
    raise ValueError(f"{value!r} cannot be written as a QTI value")


# -- declarations -----------------------------------------------------------------------


@dataclass(frozen=True)
class MapEntry:
    """One entry of a mapping: a response value (QTI text) and the score it maps to.

    :ivar case_sensitive: compare string keys case-sensitively. Always written out,
        because QTI 2.1 and 3.0 disagree on the default.
    """

    key: str
    value: float
    case_sensitive: bool = True


@dataclass(frozen=True)
class Mapping:
    """A response mapping: each distinct response value scores its entry's value (or
    ``default``), the sum is clamped to ``[lower, upper]`` when they are given."""

    entries: tuple[MapEntry, ...]
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class AreaMapEntry:
    """One area of an area mapping: an HTML image-map ``shape`` (``rect``, ``circle``,
    ``poly``; ``ellipse`` and ``default`` are read from other items), its ``coords`` in
    image pixels, and the score a point inside it maps to."""

    shape: str
    coords: tuple[int, ...]
    value: float


@dataclass(frozen=True)
class AreaMapping:
    """The mapping ``mapResponsePoint`` uses: each point scores the first area holding
    it (each area once) or ``default``; the sum is clamped to ``[lower, upper]`` when
    they are given."""

    entries: tuple[AreaMapEntry, ...]
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class ResponseDeclaration:
    """A response variable.

    :ivar correct: the correct response as QTI text values (empty: none declared).
    :ivar mapping: the mapping ``mapResponse`` uses, if any.
    :ivar area_mapping: the area mapping ``mapResponsePoint`` uses, if any.
    """

    identifier: str
    cardinality: Cardinality
    base_type: BaseType
    correct: tuple[str, ...] = ()
    mapping: Mapping | None = None
    area_mapping: AreaMapping | None = None


@dataclass(frozen=True)
class OutcomeDeclaration:
    """An outcome variable (``SCORE``, ``MAXSCORE``, or any other).

    :ivar default: the default value as QTI text, or ``None`` for NULL.
    :ivar normal_maximum: the largest value the outcome normally takes (for ``SCORE``).
    :ivar external_scored: ``"human"`` when a rater sets the value (QTI 3.0 writes it as
        ``external-scored``; QTI 2.1 has no such attribute, so it is left out there).
    """

    identifier: str
    cardinality: Cardinality = "single"
    base_type: BaseType = "float"
    default: str | None = "0"
    normal_maximum: float | None = None
    external_scored: ExternalScored | None = None


# -- body -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Html:
    """A block of XHTML in the item body (the stem, an instruction)."""

    content: str


#: The class of the block the item bank writes a part's prompt in when the part's
#: interaction has no prompt of its own (a text entry, a position object stage), so an
#: import reads it back as the part's prompt rather than as the stem.
PART_PROMPT_CLASS = "itembank-part-prompt"
#: Such a block at the end of the body's XHTML before an interaction (the reader joins
#: the blocks between two interactions; the writer puts each block in a ``div``).
_PART_PROMPT_RE = re.compile(
    r"(?P<outer><div>\s*)?"
    rf'<div class="{PART_PROMPT_CLASS}">(?P<inner>(?:(?!<div[\s>/]|</div>).)*)</div>'
    r"\s*(?(outer)</div>\s*)\Z",
    re.S,
)


@dataclass(frozen=True)
class PartPrompt:
    """A part's prompt found in the body (:func:`part_prompts`): the response identifier
    of its interaction, the prompt's XHTML, and the XHTML of the body before it."""

    response_identifier: str
    prompt: str
    before: str


def part_prompt_block(prompt: str) -> Html:
    """The block holding ``prompt`` (XHTML) before an interaction without a prompt."""
    return Html(f'<div class="{PART_PROMPT_CLASS}">{prompt}</div>')


def part_prompts(body: tuple[BodyPart, ...]) -> dict[int, PartPrompt]:
    """The part prompts of a body: for each :func:`part_prompt_block` ending the XHTML
    just before an interaction without a prompt of its own (or a stage of one), the
    index of that XHTML -> its :class:`PartPrompt`. Other blocks, one holding a ``div``
    of its own included, are none."""
    found: dict[int, PartPrompt] = {}
    for index, block in enumerate(body[:-1]):
        match = _PART_PROMPT_RE.search(block.content) if isinstance(block, Html) else None
        following = body[index + 1]
        if isinstance(following, PositionObjectStage) and len(following.interactions) == 1:
            following = following.interactions[0]
        if (
            match is None
            or isinstance(following, Html | RubricBlock | InlineBlock | PositionObjectStage)
            or getattr(following, "prompt", None)
        ):
            continue
        before = block.content[: match.start()].strip()
        found[index] = PartPrompt(following.response_identifier, match.group("inner"), before)
    return found


@dataclass(frozen=True)
class Choice:
    """A choice of a choice, order or match interaction.

    :ivar content: XHTML (may be plain text).
    :ivar fixed: keep its place when the interaction shuffles.
    :ivar match_max: for match interactions: how many associations this choice may take
        part in (0 = unlimited). Ignored elsewhere.
    """

    identifier: str
    content: str
    fixed: bool = False
    match_max: int = 1


@dataclass(frozen=True)
class ChoiceInteraction:
    """Choose ``min_choices`` to ``max_choices`` (0 = no limit) of the choices."""

    response_identifier: str
    choices: tuple[Choice, ...]
    shuffle: bool = False
    max_choices: int = 1
    min_choices: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class OrderInteraction:
    """Put the choices in order."""

    response_identifier: str
    choices: tuple[Choice, ...]
    shuffle: bool = False
    prompt: str | None = None


@dataclass(frozen=True)
class MatchInteraction:
    """Associate choices of the first set with choices of the second (directed pairs,
    source first). Each choice's ``match_max`` limits how often it may be used."""

    response_identifier: str
    sources: tuple[Choice, ...]
    targets: tuple[Choice, ...]
    shuffle: bool = False
    max_associations: int = 0
    min_associations: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class TextEntryInteraction:
    """A one-line text (or number) field; written inside a ``div`` of its own."""

    response_identifier: str
    expected_length: int | None = None


@dataclass(frozen=True)
class ExtendedTextInteraction:
    """A multi-line text field (essays)."""

    response_identifier: str
    expected_length: int | None = None
    expected_lines: int | None = None
    prompt: str | None = None


@dataclass(frozen=True)
class SliderInteraction:
    """A number chosen on a bounded scale: ``lower_bound`` to ``upper_bound`` by ``step``
    (``None``: any value); ``step_label`` labels each step, ``vertical`` and ``reverse``
    say how the scale is drawn."""

    response_identifier: str
    lower_bound: float
    upper_bound: float
    step: int | None = None
    step_label: bool = False
    vertical: bool = False
    reverse: bool = False
    prompt: str | None = None


@dataclass(frozen=True)
class RubricBlock:
    """Content shown only to one audience, e.g. the scoring rubric for raters.

    :ivar content: XHTML fragments, each written as a ``div`` of its own (so fragments
        from different sources are never joined as strings).

    :ivar view: ``"scorer"``, ``"author"``, ``"proctor"``, ``"tutor"``, ``"testConstructor"``
        or ``"candidate"``.
    :ivar use: what the block is for (``"scoring"``, ``"instructions"``, ``"navigation"``);
        QTI 3.0 requires it, QTI 2.1 has no such attribute.
    """

    view: str
    content: tuple[str, ...]
    use: str = "scoring"


# -- text-based interactions: XHTML with embedded parts ---------------------------------
#
# Inline choices and text entries sit inside a sentence, gaps inside a gap match's text,
# hot texts inside a hot text interaction's text. Such XHTML is kept as one fragment in
# which each embedded part is a placeholder element, ``<qti-slot index="N"/>`` (no
# namespace; :data:`SLOT`), standing for the part of that index in the holder's tuple.
# The writer puts the part's QTI element in its place; the reader does the inverse. Every
# index appears exactly once.

SLOT = "qti-slot"
"""The placeholder element of embedded parts (see the comment above)."""


@dataclass(frozen=True)
class InlineChoiceInteraction:
    """A drop-down list inside a sentence: choose one of ``choices`` (plain text)."""

    response_identifier: str
    choices: tuple[Choice, ...]
    shuffle: bool = False


@dataclass(frozen=True)
class InlineBlock:
    """A block of XHTML with inline interactions inside it.

    :ivar content: an XHTML fragment; ``<qti-slot index="N"/>`` stands for
        ``interactions[N]``.
    :ivar interactions: inline choices and text entries, in slot order.
    """

    content: str
    interactions: tuple[InlineChoiceInteraction | TextEntryInteraction, ...]


@dataclass(frozen=True)
class Gap:
    """A gap of a gap match interaction's text."""

    identifier: str
    required: bool = False


@dataclass(frozen=True)
class GapMatchInteraction:
    """Drag words (``gap_texts``, plain text; ``match_max`` how often each may be used,
    0 = unlimited) into the gaps of ``content`` (XHTML; slot N is ``gaps[N]``). The
    response is a set of directed pairs ``gap-text gap``."""

    response_identifier: str
    gap_texts: tuple[Choice, ...]
    content: str
    gaps: tuple[Gap, ...]
    shuffle: bool = False
    prompt: str | None = None


@dataclass(frozen=True)
class HottextInteraction:
    """Select ``min_choices`` to ``max_choices`` (0 = no limit) of the hot texts in
    ``content`` (XHTML; slot N is ``hottexts[N]``, whose content is inline XHTML)."""

    response_identifier: str
    content: str
    hottexts: tuple[Choice, ...]
    max_choices: int = 1
    min_choices: int = 0
    prompt: str | None = None


def text_span(body: tuple[object, ...]) -> tuple[int, int] | None:
    """The body parts from the first text with embedded parts (:class:`InlineBlock`,
    :class:`GapMatchInteraction`, :class:`HottextInteraction`) to the last, as
    ``(start, stop)`` indexes for slicing; ``None`` when there is none."""
    found = [
        index
        for index, part in enumerate(body)
        if isinstance(part, InlineBlock | GapMatchInteraction | HottextInteraction)
    ]
    return (found[0], found[-1] + 1) if found else None


Interaction = (
    ChoiceInteraction
    | OrderInteraction
    | MatchInteraction
    | TextEntryInteraction
    | ExtendedTextInteraction
    | SliderInteraction
    | InlineChoiceInteraction
    | GapMatchInteraction
    | HottextInteraction
)
BodyPart = Html | RubricBlock | InlineBlock | Interaction

INTERACTION_NAMES: dict[type, str] = {
    ChoiceInteraction: "choiceInteraction",
    OrderInteraction: "orderInteraction",
    MatchInteraction: "matchInteraction",
    TextEntryInteraction: "textEntryInteraction",
    ExtendedTextInteraction: "extendedTextInteraction",
    SliderInteraction: "sliderInteraction",
    InlineChoiceInteraction: "inlineChoiceInteraction",
    GapMatchInteraction: "gapMatchInteraction",
    HottextInteraction: "hottextInteraction",
}
"""Interaction class -> its QTI 2 element name (also the QTI metadata vocabulary)."""


# -- graphic and association interactions (hotspot, associate, graphic gap match) ---------

Shape = Literal["rect", "circle", "poly"]


@dataclass(frozen=True)
class GraphicImage:
    """The image of a graphic interaction: written as ``<object>`` in QTI 2.1 and as
    ``<img>`` in QTI 3.0. Shape coordinates are in its pixels (``width`` x ``height``).

    :ivar src: the image reference (an ``img src``; ``object data`` in QTI 2.1).
    :ivar media_type: ``image/png``, ``image/jpeg`` or ``image/gif``; ``None``: the writer
        takes it from the extension of the resolved reference.
    """

    src: str
    width: int
    height: int
    alt: str = ""
    media_type: str | None = None


@dataclass(frozen=True)
class HotspotChoice:
    """An area of the image that can be chosen (``hotspotChoice``) or that takes a gap
    (``associableHotspot``): an HTML image-map ``shape`` and its ``coords``.

    :ivar label: ``hotspotLabel``: what the area shows, for candidates who cannot see it.
    :ivar match_max: for associable hotspots: how many gaps it may take (0 = unlimited).
    """

    identifier: str
    shape: Shape
    coords: tuple[int, ...]
    label: str = ""
    match_max: int = 1


@dataclass(frozen=True)
class HotspotInteraction:
    """Choose ``min_choices`` to ``max_choices`` (0 = no limit) areas of an image."""

    response_identifier: str
    image: GraphicImage
    choices: tuple[HotspotChoice, ...]
    max_choices: int = 1
    min_choices: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class AssociateInteraction:
    """Associate choices of one set with each other (undirected pairs). Each choice's
    ``match_max`` limits how often it may be used."""

    response_identifier: str
    choices: tuple[Choice, ...]
    shuffle: bool = False
    max_associations: int = 1
    min_associations: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class GapChoice:
    """What the candidate places on an area: a plain text (``gapText``) or, when
    ``image`` is given, an image (``gapImg``).

    :ivar match_max: how many areas it may be placed on (0 = unlimited).
    """

    identifier: str
    text: str = ""
    image: GraphicImage | None = None
    match_max: int = 1


@dataclass(frozen=True)
class GraphicGapMatchInteraction:
    """Place texts or images (:class:`GapChoice`) on areas of an image
    (``associableHotspot``): directed pairs, gap first."""

    response_identifier: str
    image: GraphicImage
    gaps: tuple[GapChoice, ...]
    hotspots: tuple[HotspotChoice, ...]
    max_associations: int = 0
    min_associations: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class SelectPointInteraction:
    """Click ``min_choices`` to ``max_choices`` (0 = no limit) points of an image: a
    ``point`` response (single when ``max_choices`` is 1, else multiple)."""

    response_identifier: str
    image: GraphicImage
    max_choices: int = 1
    min_choices: int = 0
    prompt: str | None = None


@dataclass(frozen=True)
class PositionObjectInteraction:
    """Place an object (``object``, an image) on a stage image ``min_choices`` to
    ``max_choices`` (0 = no limit) times: a ``point`` response in the stage's pixels
    (single when ``max_choices`` is 1, else multiple), where the object's
    ``center_point`` (``None``: its centre) lies. It stands inside a
    :class:`PositionObjectStage`; ``image`` is that stage's image.
    """

    response_identifier: str
    image: GraphicImage
    object: GraphicImage
    center_point: tuple[int, int] | None = None
    max_choices: int = 1
    min_choices: int = 0


@dataclass(frozen=True)
class PositionObjectStage:
    """``positionObjectStage``: a stage image and the interactions that place objects
    on it (each interaction's ``image`` is the stage's ``image``). A body part, not an
    interaction: :meth:`AssessmentItem.interactions` yields the interactions in it."""

    image: GraphicImage
    interactions: tuple[PositionObjectInteraction, ...]


@dataclass(frozen=True)
class GraphicOrderInteraction:
    """Put areas of an image in order (an ordered identifier response).

    :ivar max_choices: how many areas the candidate orders (``None``: all of them).
    :ivar min_choices: how many at least (``None``: not said).
    """

    response_identifier: str
    image: GraphicImage
    choices: tuple[HotspotChoice, ...]
    max_choices: int | None = None
    min_choices: int | None = None
    prompt: str | None = None


@dataclass(frozen=True)
class GraphicAssociateInteraction:
    """Pair areas of one image with each other (undirected pairs, each area in at most
    its ``match_max`` pairs, 0 = no limit; at most ``max_associations`` pairs, 0 = no
    limit)."""

    response_identifier: str
    image: GraphicImage
    choices: tuple[HotspotChoice, ...]
    max_associations: int = 1
    min_associations: int = 0
    prompt: str | None = None


GRAPHIC_INTERACTIONS: dict[type, str] = {
    HotspotInteraction: "hotspotInteraction",
    AssociateInteraction: "associateInteraction",
    GraphicGapMatchInteraction: "graphicGapMatchInteraction",
    SelectPointInteraction: "selectPointInteraction",
    PositionObjectInteraction: "positionObjectInteraction",
    GraphicOrderInteraction: "graphicOrderInteraction",
    GraphicAssociateInteraction: "graphicAssociateInteraction",
}
Interaction = (  # type: ignore[misc]
    Interaction
    | HotspotInteraction
    | AssociateInteraction
    | GraphicGapMatchInteraction
    | SelectPointInteraction
    | PositionObjectInteraction
    | GraphicOrderInteraction
    | GraphicAssociateInteraction
)
BodyPart = Html | RubricBlock | Interaction | PositionObjectStage  # type: ignore[misc]
INTERACTION_NAMES.update(GRAPHIC_INTERACTIONS)

# -- end of graphic and association interactions ----------------------------------------


# -- response processing -----------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """An expression: an operator by its QTI 2 name, its attributes (QTI 2 names, text
    values), its sub-expressions and, for ``baseValue``, its text."""

    name: str
    args: tuple[Expr, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()
    text: str | None = None


def op(name: str, *args: Expr, **attrs: str) -> Expr:
    """An operator expression: ``op("match", variable("RESPONSE"), correct("RESPONSE"))``."""
    return Expr(name, args, tuple(attrs.items()))


def variable(identifier: str) -> Expr:
    return Expr("variable", attrs=(("identifier", identifier),))


def correct(identifier: str) -> Expr:
    return Expr("correct", attrs=(("identifier", identifier),))


def map_response(identifier: str) -> Expr:
    return Expr("mapResponse", attrs=(("identifier", identifier),))


def base_value(base_type: BaseType, value: object) -> Expr:
    """A constant: ``base_value("float", 2.5)``, ``base_value("directedPair", ("P", "R"))``."""
    return Expr("baseValue", attrs=(("baseType", base_type),), text=value_text(value))


def number(value: int | float) -> Expr:
    """A numeric constant that keeps the Python type: ``integer`` for ints, else ``float``
    (so arithmetic on it in response processing is the same as in Python)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return base_value("integer" if isinstance(value, int) else "float", value)


@dataclass(frozen=True)
class SetOutcome:
    identifier: str
    expression: Expr


@dataclass(frozen=True)
class Branch:
    """``if`` / ``else if``: when ``condition`` is true, run ``rules``."""

    condition: Expr
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Condition:
    """A response condition: the first branch whose condition is true runs, else
    ``otherwise`` (if given)."""

    branches: tuple[Branch, ...]
    otherwise: tuple[Rule, ...] | None = None


@dataclass(frozen=True)
class ExitResponse:
    """Stop response processing."""


Rule = SetOutcome | Condition | ExitResponse


@dataclass(frozen=True)
class ResponseProcessing:
    """Either a standard ``template`` (``match_correct``, ``map_response``,
    ``map_response_point``; written with its canonical URI) or inline ``rules``."""

    template: TemplateName | None = None
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        if (self.template is None) == (not self.rules):
            raise ValueError("response processing is either a template or rules, not both")


# -- the item ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentItem:
    """One QTI assessment item.

    :ivar identifier: the item's QTI identifier (starts with a letter or ``_``).
    :ivar title: shown to authors and in reports, not to candidates.
    :ivar body: XHTML blocks, rubric blocks and interactions, in order.
    :ivar processing: ``None`` when nothing is computed (essays scored by a person).
    :ivar lang: the content language (``xml:lang``).
    """

    identifier: str
    title: str
    responses: tuple[ResponseDeclaration, ...]
    outcomes: tuple[OutcomeDeclaration, ...]
    body: tuple[BodyPart, ...]
    processing: ResponseProcessing | None
    lang: str = "id"
    label: str | None = None
    time_dependent: bool = False

    def interactions(self) -> Iterator[Interaction]:
        """Every interaction in body order, those inside :class:`InlineBlock` s too."""
        for part in self.body:
            if isinstance(part, InlineBlock | PositionObjectStage):
                yield from part.interactions
            elif not isinstance(part, Html | RubricBlock):
                yield part

    def interaction_types(self) -> list[str]:
        """The QTI 2 names of the interactions used, in body order, without repeats."""
        return list(dict.fromkeys(INTERACTION_NAMES[type(i)] for i in self.interactions()))

    def scored_by_person(self) -> bool:
        """True when ``SCORE`` is set by a rater rather than by response processing."""
        return any(o.identifier == "SCORE" and o.external_scored for o in self.outcomes)
