"""What an assembly asks for: the pool, the blueprint, the rules, the target, the settings.

Plain data and numpy arrays only; every input is checked once here, with errors that name
the argument (``ValueError``). Item ids are the caller's (e.g. item ids of the bank); inside
the package items are addressed by their position in the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Default theta points of the statistical target (van der Linden's maximin at -1, 0, 1).
DEFAULT_THETAS: tuple[float, ...] = (-1.0, 0.0, 1.0)
#: Default theta grid for the per-form statistics (TIF and TCC curves).
DEFAULT_GRID: tuple[float, ...] = tuple(np.round(np.linspace(-3.0, 3.0, 13), 6).tolist())


@dataclass(frozen=True)
class Row:
    """A blueprint row: ``count`` items per form classified under ``node`` (a node path,
    matched as a prefix so descendants count; ``None``: any node), at ``level`` when given,
    of one of ``item_types`` (any when empty). ``points``: each item's maximum score."""

    count: int
    node: str | None = None
    level: int | None = None
    item_types: tuple[str, ...] = ()
    points: float | None = None

    def __post_init__(self) -> None:
        if int(self.count) < 1:
            raise ValueError(f"Row.count must be >= 1, got {self.count}")


@dataclass(frozen=True)
class Section:
    """A blueprint section: a title and its rows, in blueprint order."""

    title: str
    rows: tuple[Row, ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError(f"Section {self.title!r} has no rows")


@dataclass(frozen=True)
class Blueprint:
    """Sections in delivery order. Rows are labelled ``"s.r"`` (1-based), as the form report
    does: ``"2.1"`` is section 2, row 1."""

    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        if not self.sections:
            raise ValueError("Blueprint.sections is empty")

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def row_labels(self) -> list[str]:
        return [
            f"{s}.{r}"
            for s, section in enumerate(self.sections, start=1)
            for r in range(1, len(section.rows) + 1)
        ]

    @property
    def row_section(self) -> np.ndarray:
        """The section index (0-based) of every row."""
        return np.array(
            [s for s, section in enumerate(self.sections) for _ in section.rows], dtype=np.int64
        )

    @property
    def length(self) -> int:
        return sum(row.count for row in self.rows)


def _array(name: str, value: object, n: int, dtype: type) -> np.ndarray:
    array = np.asarray(value, dtype=dtype)
    if array.shape != (n,):
        raise ValueError(f"Pool.{name} must have shape ({n},), got {array.shape}")
    if dtype is float and not np.all(np.isfinite(array) | np.isnan(array)):
        raise ValueError(f"Pool.{name} has infinite values")
    return array


@dataclass(frozen=True, eq=False)
class Pool:
    """The items an assembly may use, one entry per item (one pinned version each).

    Content: either ``classifications`` (per item, ``(node_path, level)`` pairs) with
    ``item_types``, matched against the rows by :meth:`fit_matrix`, or ``fits``, a boolean
    matrix (items x blueprint rows) computed by the caller. Statistics (optional): 3PL
    ``a``, ``b``, ``c`` (logistic metric, D = 1), classical ``p``, ``max_score``. Keys:
    ``keys[i]`` is the key letter of a single-choice item, ``None`` otherwise. Exposure:
    ``exposure`` (share of candidates who saw the item), ``days_since_use`` (NaN: never),
    ``flagged`` (by the statistics). ``enemies``: pairs of item ids never in one form;
    ``item_sets``: groups of item ids that go into a form all together or not at all.
    """

    item_ids: Sequence[int] | np.ndarray
    classifications: Sequence[Sequence[tuple[str, int | None]]] | None = None
    item_types: Sequence[str] | None = None
    fits: np.ndarray | None = None
    keys: Sequence[str | None] | None = None
    a: np.ndarray | None = None
    b: np.ndarray | None = None
    c: np.ndarray | None = None
    p: np.ndarray | None = None
    max_score: np.ndarray | None = None
    exposure: np.ndarray | None = None
    days_since_use: np.ndarray | None = None
    flagged: np.ndarray | None = None
    enemies: Sequence[tuple[int, int]] = ()
    item_sets: Sequence[Sequence[int]] = ()

    def __post_init__(self) -> None:
        ids = np.asarray(self.item_ids, dtype=np.int64)
        if ids.ndim != 1 or ids.size == 0:
            raise ValueError("Pool.item_ids must be a non-empty 1-d sequence")
        if np.unique(ids).size != ids.size:
            raise ValueError("Pool.item_ids has duplicates")
        n = ids.size
        object.__setattr__(self, "item_ids", ids)
        if (self.fits is None) == (self.classifications is None):
            raise ValueError("Pool needs exactly one of classifications or fits")
        if self.classifications is not None and len(self.classifications) != n:
            raise ValueError(f"Pool.classifications must have {n} entries")
        if self.item_types is not None and len(self.item_types) != n:
            raise ValueError(f"Pool.item_types must have {n} entries")
        if self.fits is not None:
            fits = np.asarray(self.fits, dtype=bool)
            if fits.ndim != 2 or fits.shape[0] != n:
                raise ValueError(f"Pool.fits must have shape ({n}, rows), got {fits.shape}")
            object.__setattr__(self, "fits", fits)
        if self.keys is not None and len(self.keys) != n:
            raise ValueError(f"Pool.keys must have {n} entries")
        if (self.a is None) != (self.b is None) or (self.c is not None and self.a is None):
            raise ValueError("Pool.a and Pool.b go together (c optional)")
        for name in ("a", "b", "c", "p", "max_score", "exposure", "days_since_use"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _array(name, value, n, float))
        if self.a is not None and np.any(~np.isfinite(self.a) | (self.a <= 0)):
            raise ValueError("Pool.a must be finite and positive")
        if self.c is not None and np.any((self.c < 0) | (self.c >= 1)):
            raise ValueError("Pool.c must lie in [0, 1)")
        if self.p is not None and np.any(~np.isfinite(self.p) | (self.p < 0) | (self.p > 1)):
            raise ValueError("Pool.p must lie in [0, 1]")
        if self.flagged is not None:
            object.__setattr__(self, "flagged", _array("flagged", self.flagged, n, bool))
        known = set(ids.tolist())
        for pair in self.enemies:
            if len(pair) != 2 or pair[0] == pair[1] or not set(pair) <= known:
                raise ValueError(f"Pool.enemies: {pair!r} is not a pair of pool items")
        seen: set[int] = set()
        for group in self.item_sets:
            members = set(group)
            if len(members) < 2 or not members <= known:
                raise ValueError(f"Pool.item_sets: {group!r} is not a set of pool items")
            if members & seen:
                raise ValueError("Pool.item_sets: an item belongs to two sets")
            seen |= members

    @property
    def size(self) -> int:
        return int(np.asarray(self.item_ids).size)

    @property
    def has_irt(self) -> bool:
        return self.a is not None

    def index_of(self) -> dict[int, int]:
        return {int(item): i for i, item in enumerate(np.asarray(self.item_ids).tolist())}

    def fit_matrix(self, blueprint: Blueprint) -> np.ndarray:
        """Items x rows: does item ``i`` fit row ``r`` (node prefix, level, type)?"""
        rows = blueprint.rows
        if self.fits is not None:
            fits = np.asarray(self.fits, dtype=bool)
            if fits.shape[1] != len(rows):
                raise ValueError(
                    f"Pool.fits has {fits.shape[1]} columns, the blueprint {len(rows)} rows"
                )
            return fits
        assert self.classifications is not None
        fits = np.zeros((self.size, len(rows)), dtype=bool)
        for r, row in enumerate(rows):
            types = set(row.item_types)
            for i, classes in enumerate(self.classifications):
                if types and (self.item_types is None or self.item_types[i] not in types):
                    continue
                fits[i, r] = any(
                    (row.node is None or path.startswith(row.node))
                    and (row.level is None or level == row.level)
                    for path, level in classes
                )
        return fits


@dataclass(frozen=True)
class Exposure:
    """Leave out items seen by more than ``max_share`` of candidates, used fewer than
    ``min_days_since_use`` days ago, or (``exclude_flagged``) flagged by the statistics."""

    max_share: float | None = None
    min_days_since_use: float | None = None
    exclude_flagged: bool = False


@dataclass(frozen=True)
class KeyBalance:
    """Per form and section, every key letter's share of the single-choice items lies in
    [``min_share``, ``max_share``], and the delivery order never has more than
    ``max_run`` consecutive items with the same key."""

    letters: tuple[str, ...] = ("A", "B", "C", "D", "E")
    min_share: float = 0.1
    max_share: float = 0.3
    max_run: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.min_share <= self.max_share <= 1:
            raise ValueError("KeyBalance: need 0 <= min_share <= max_share <= 1")
        if self.max_run < 1:
            raise ValueError("KeyBalance.max_run must be >= 1")


@dataclass(frozen=True)
class Rules:
    """Every rule is optional.

    Overlap: an item in at most ``max_forms_per_item`` forms (1: no overlap); with
    ``max_shared`` any two forms share at most that many items. Anchors (in every form)
    are outside both. ``include``: items that must be in at least one form; ``exclude``:
    items left out by hand. ``enemies``: whether the pool's enemy pairs are enforced.
    """

    max_forms_per_item: int = 1
    max_shared: int | None = None
    exposure: Exposure | None = None
    enemies: bool = True
    anchors: tuple[int, ...] = ()
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    key_balance: KeyBalance | None = None

    def __post_init__(self) -> None:
        if self.max_forms_per_item < 1:
            raise ValueError("Rules.max_forms_per_item must be >= 1")
        if self.max_shared is not None and self.max_shared < 0:
            raise ValueError("Rules.max_shared must be >= 0")


@dataclass(frozen=True)
class MaximinTIF:
    """Maximise the weakest form's test information over ``thetas`` (needs IRT)."""

    thetas: tuple[float, ...] = DEFAULT_THETAS


@dataclass(frozen=True)
class TargetCurve:
    """Meet a target TIF and/or TCC at ``thetas`` with the smallest largest relative
    deviation ``max |value - target| / target`` over forms and points (needs IRT)."""

    thetas: tuple[float, ...] = DEFAULT_THETAS
    tif: tuple[float, ...] | None = None
    tcc: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if self.tif is None and self.tcc is None:
            raise ValueError("TargetCurve needs tif or tcc")
        for name in ("tif", "tcc"):
            value = getattr(self, name)
            if value is not None and (len(value) != len(self.thetas) or min(value) <= 0):
                raise ValueError(f"TargetCurve.{name} needs one positive value per theta")


@dataclass(frozen=True)
class Classical:
    """Every form's expected score and mean p equal within tolerances (needs ``p``);
    with ``target_mean_p`` the forms' mean p is also brought close to it."""

    score_tolerance: float = 0.5
    p_tolerance: float = 0.005
    target_mean_p: float | None = None


@dataclass(frozen=True)
class ContentOnly:
    """No statistics: the blueprint and the rules only, items drawn at random (seeded)."""


Target = MaximinTIF | TargetCurve | Classical | ContentOnly


@dataclass(frozen=True)
class Settings:
    """``forms``: how many; ``seed``: HiGHS's random seed and the local search's; ``gap``:
    stop once the certified relative gap is at most this; ``time_limit`` in seconds over
    the whole run; ``method``: ``auto`` (decomposition unless a rule needs the full model),
    ``decompose`` or ``full``; ``grid``: theta points of the reported curves."""

    forms: int = 1
    seed: int = 0
    time_limit: float = 60.0
    gap: float = 0.001
    method: str = "auto"
    threads: int = 1
    grid: tuple[float, ...] = field(default=DEFAULT_GRID)

    def __post_init__(self) -> None:
        if self.forms < 1:
            raise ValueError("Settings.forms must be >= 1")
        if self.time_limit <= 0:
            raise ValueError("Settings.time_limit must be > 0")
        if not 0 <= self.gap < 1:
            raise ValueError("Settings.gap must lie in [0, 1)")
        if self.method not in ("auto", "decompose", "full"):
            raise ValueError("Settings.method must be auto, decompose or full")
