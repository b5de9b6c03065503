"""Simulated candidates' results for an exported form (demo, tests, benchmarks).

Every result made here is **simulated**: candidate ids start with ``SIM``, and the
administrations they are imported into are flagged ``simulated`` and titled
"(simulasi)". They exercise everything downstream of a real delivery (import, re-scoring,
the disagreement report, item statistics, DIF) with known truth.

:func:`simulate` is the drawing, a plain function over plain data
(:class:`~itembank.operations.simulated_items.ItemSpec` per entry and
:class:`SimulationSettings`): θ ~ N(0, 1) per candidate (shifted for the focal group when
asked), a category per item from its IRT model, blanks more often for weaker candidates,
a response within the category (distractors by their appeal, which weaker candidates
follow more), a shuffled option order for items a delivery shuffles, and lognormal times.
The same specs and settings always give the same results: every random stream is derived
from the seed and the item's position, so adding candidates or planting DIF on one item
leaves the other items' parameters alone.

Two things can be planted to demo the reports: **DIF** (an item harder by a shift of its
b's for the focal group of a group variable) and a **wrong key** in delivery (the delivery
scores a named distractor of a single-choice item as correct, and the key as wrong; the
bank's own scores stay right, so the disagreement report shows it).

:func:`simulate_form` builds the specs from a form and the bank's parameters;
:func:`simulate_administration` imports the results into a simulated administration
through the real importer (:func:`itembank.operations.results.import_results`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from itembank.errors import InvalidInput
from itembank.operations.result_writers import ResultRow
from itembank.operations.simulated_items import ItemSpec
from itembank.psychometrics.irt.results import ItemParameters
from itembank.psychometrics.irt.scoring import probabilities

__all__ = [
    "GroupSpec",
    "SimulatedResults",
    "SimulationSettings",
    "WrongKey",
    "simulate",
]

MAX_CANDIDATES = 100_000
#: Local start of each session (Asia/Jakarta, UTC+7): the first at 07:30, then every 3.5 h.
FIRST_SESSION = time(7, 30)
SESSION_GAP = timedelta(hours=3, minutes=30)
JAKARTA = timedelta(hours=7)


@dataclass(frozen=True)
class GroupSpec:
    """A group variable (``gender``) with a reference and a focal value and the focal
    group's share; ``theta_shift`` moves the focal group's θ (impact, not DIF)."""

    name: str = "gender"
    reference: str = "L"
    focal: str = "P"
    focal_share: float = 0.5
    theta_shift: float = 0.0


@dataclass(frozen=True)
class WrongKey:
    """Delivery scores ``option`` of the entry at ``index`` as correct (and the key as
    wrong)."""

    index: int
    option: str


@dataclass(frozen=True)
class SimulationSettings:
    """What to simulate. ``dif``: entry index → shift of the item's b's for the focal
    group (> 0: harder for it; needs ``group``). ``omit_rate``: chance of a blank at
    θ = 0 (it falls as θ rises)."""

    candidates: int = 500
    seed: int = 7
    #: Labels that are QTI identifiers too, as QTI results carry them.
    sessions: tuple[str, ...] = ("Pagi", "Siang")
    tested_on: date | None = None
    group: GroupSpec | None = None
    dif: Mapping[int, float] = field(default_factory=dict)
    wrong_key: WrongKey | None = None
    omit_rate: float = 0.02
    #: The form's time limit: item times are scaled so a typical candidate uses 70 % of it.
    time_limit_seconds: float | None = None


def _problem(field_name: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(
        message_en, [{"field": field_name, "message": message, "message_en": message_en}]
    )


def check_settings(items: Sequence[ItemSpec], settings: SimulationSettings) -> None:
    """:raises InvalidInput: naming the setting that is out of range."""
    if not 1 <= settings.candidates <= MAX_CANDIDATES:
        raise _problem(
            "candidates",
            f"Jumlah peserta 1 sampai {MAX_CANDIDATES}.",
            f"The number of candidates is 1 to {MAX_CANDIDATES}.",
        )
    if not 0 <= settings.omit_rate <= 0.5:
        raise _problem(
            "omit_rate",
            "Peluang jawaban kosong 0 sampai 0,5.",
            "The chance of a blank is 0 to 0.5.",
        )
    if not settings.sessions:
        raise _problem("sessions", "Minimal satu sesi.", "At least one session is needed.")
    group = settings.group
    if group is not None and (
        not 0 < group.focal_share < 1
        or group.reference == group.focal
        or not math.isfinite(group.theta_shift)
    ):
        raise _problem(
            "group",
            "Kelompok: nilai acuan dan fokus berbeda, porsi fokus antara 0 dan 1.",
            "Group: distinct reference and focal values, a focal share between 0 and 1.",
        )
    if settings.dif and group is None:
        raise _problem(
            "dif",
            "DIF memerlukan variabel kelompok.",
            "DIF needs a group variable.",
        )
    for index, shift in settings.dif.items():
        if not 0 <= index < len(items) or not math.isfinite(shift) or abs(shift) > 5:
            raise _problem(
                "dif",
                f"DIF: soal ke-{index + 1} tidak ada di paket atau besar geseran di luar ±5.",
                f"DIF: there is no item {index + 1} in the form, or the shift is beyond ±5.",
            )
    wrong = settings.wrong_key
    if wrong is not None:
        item = items[wrong.index] if 0 <= wrong.index < len(items) else None
        if item is None or item.type_id != "single_choice":
            raise _problem(
                "wrong_key",
                "Kunci salah hanya dapat ditanam pada soal pilihan ganda.",
                "A wrong key can be planted on single-choice items only.",
            )
        if wrong.option == item.key or wrong.option not in item.options:
            raise _problem(
                "wrong_key",
                f"Kunci salah untuk soal {item.item_id} harus pengecoh: salah satu dari "
                f"{', '.join(o for o in item.options if o != item.key)}.",
                f"The wrong key for item {item.item_id} must be a distractor: one of "
                f"{', '.join(o for o in item.options if o != item.key)}.",
            )


@dataclass(frozen=True)
class SimulatedResults:
    """Simulated results of one form. Arrays are candidates × items.

    ``category``: the IRT category drawn (-1: left blank); ``choice``: which response of
    the category's (-1: blank); ``durations`` seconds per item; ``orders``: per shuffled
    item, the option order each candidate saw (indices into ``ItemSpec.shuffle``)."""

    items: tuple[ItemSpec, ...]
    settings: SimulationSettings
    candidate_ids: tuple[str, ...]
    theta: NDArray[np.float64]
    focal: NDArray[np.bool_]
    category: NDArray[np.int64]
    choice: NDArray[np.int64]
    durations: NDArray[np.float64]
    orders: Mapping[int, NDArray[np.int64]]

    @property
    def scores(self) -> NDArray[np.float64]:
        """The bank's score of every response (blank: 0)."""
        out = np.zeros(self.category.shape)
        for j, item in enumerate(self.items):
            for k, cat in enumerate(item.categories):
                for r, score in enumerate(cat.scores):
                    out[(self.category[:, j] == k) & (self.choice[:, j] == r), j] = score
        return out

    def response(self, i: int, j: int) -> Any:
        k = int(self.category[i, j])
        return None if k < 0 else self.items[j].categories[k].responses[int(self.choice[i, j])]

    def responses(self, j: int) -> list[Any]:
        """Every candidate's response to item ``j`` (the same objects are shared between
        candidates who gave the same response: do not change them)."""
        item = self.items[j]
        table = [r for category in item.categories for r in category.responses]
        offsets = np.cumsum([0] + [len(c.responses) for c in item.categories])[:-1]
        values = np.empty(len(table) + 1, dtype=object)
        for n, response in enumerate(table):
            values[n] = response
        values[-1] = None  # a blank
        blank = self.category[:, j] < 0
        index = np.where(blank, len(table), offsets[np.maximum(self.category[:, j], 0)])
        index = index + np.where(blank, 0, self.choice[:, j])
        return list(values[index])

    def session(self, i: int) -> str:
        sessions = self.settings.sessions
        return sessions[i * len(sessions) // len(self.candidate_ids)]

    def tested_at(self, i: int) -> datetime | None:
        day = self.settings.tested_on
        if day is None:
            return None
        number = self.settings.sessions.index(self.session(i))
        local = datetime.combine(day, FIRST_SESSION) + number * SESSION_GAP
        return (local - JAKARTA).replace(tzinfo=UTC)

    def delivered_scores(self, columns: list[list[Any]] | None = None) -> NDArray[np.float64]:
        """What the delivery scored: the bank's scores, but for a planted wrong key."""
        delivered = self.scores
        wrong = self.settings.wrong_key
        if wrong is not None:
            item = self.items[wrong.index]
            given = columns[wrong.index] if columns else self.responses(wrong.index)
            chosen = np.array([r == wrong.option for r in given], dtype=bool)
            keyed = np.array([r == item.key for r in given], dtype=bool)
            delivered[chosen, wrong.index] = item.max_score
            delivered[keyed, wrong.index] = 0.0
        return delivered

    def rows(self, *, choice_orders: bool = True) -> Iterator[ResultRow]:
        """One :class:`ResultRow` per candidate, with the delivery's scores.

        :param choice_orders: include the option orders (only QTI results carry them;
            leaving them out spares millions of small lists for a large simulation)."""
        k = self.category.shape[1]
        columns = [self.responses(j) for j in range(k)]
        delivered = self.delivered_scores(columns)
        totals = delivered.sum(axis=1).tolist()
        delivered_rows = delivered.tolist()
        durations = np.round(self.durations, 1)
        duration_rows = durations.tolist()
        duration_totals = np.round(durations.sum(axis=1), 1).tolist()
        orders = {
            j: (self.items[j].shuffle or (), order.tolist())
            for j, order in self.orders.items()
            if choice_orders
        }
        group = self.settings.group
        for i, candidate in enumerate(self.candidate_ids):
            shown: list[list[str] | None] | None = None
            if choice_orders:
                shown = [None] * k
                for j, (options, order_rows) in orders.items():
                    shown[j] = [options[n] for n in order_rows[i]]
            groups = {}
            if group is not None:
                groups[group.name] = group.focal if self.focal[i] else group.reference
            yield ResultRow(
                candidate_id=candidate,
                responses=[column[i] for column in columns],
                session=self.session(i),
                tested_at=self.tested_at(i),
                duration=duration_totals[i],
                groups=groups,
                delivered_scores=delivered_rows[i],
                delivered_total=totals[i],
                choice_orders=shown,
                durations=duration_rows[i],
            )


def _categories(par: ItemParameters, theta: NDArray[np.float64], u: NDArray[np.float64]) -> Any:
    probs = probabilities(par, theta)  # (N, K)
    return (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _shifted(par: ItemParameters, shift: float) -> ItemParameters:
    return ItemParameters(par.model, par.a, tuple(b + shift for b in par.b), par.c)


def candidate_ids(n: int, seed: int, focal: NDArray[np.bool_] | None) -> tuple[str, ...]:
    """NIP-like ids, clearly synthetic: ``SIM`` and 18 digits (birth date, appointment
    month, 1/2 as the NIP's sex digit: 2 for the focal group when there is one, and a
    serial number), all distinct."""
    rng = np.random.default_rng([seed, 1])
    born = rng.integers(0, 365 * 30, n)  # days after 1970-01-01
    hired_after = rng.integers(20, 32, n)
    month = rng.integers(1, 13, n)
    sex = np.where(focal, 2, 1) if focal is not None else rng.integers(1, 3, n)
    seen: set[str] = set()
    out: list[str] = []
    for i in range(n):
        birth = date(1970, 1, 1) + timedelta(days=int(born[i]))
        hired = min(birth.year + int(hired_after[i]), 2025)
        serial = i % 999 + 1
        while True:
            ident = f"SIM{birth:%Y%m%d}{hired}{int(month[i]):02d}{int(sex[i])}{serial:03d}"
            if ident not in seen:
                break
            serial = serial % 999 + 1
            if serial == i % 999 + 1:  # every serial taken: move the birth date on
                birth += timedelta(days=1)
        seen.add(ident)
        out.append(ident)
    return tuple(out)


def simulate(items: Sequence[ItemSpec], settings: SimulationSettings) -> SimulatedResults:
    """Draw every candidate's results (see the module's documentation).

    :raises InvalidInput: settings out of range (see :func:`check_settings`)."""
    check_settings(items, settings)
    n, seed = settings.candidates, settings.seed
    rng = np.random.default_rng([seed, 2])
    group = settings.group
    focal = rng.random(n) < group.focal_share if group is not None else np.zeros(n, dtype=bool)
    theta = rng.normal(0.0, 1.0, n) + (group.theta_shift * focal if group is not None else 0.0)
    speed = rng.lognormal(0.0, 0.25, n)
    budget = sum(item.seconds for item in items)
    scale = 1.0
    if settings.time_limit_seconds and budget > 0:
        scale = min(1.0, 0.7 * settings.time_limit_seconds / budget)
    category = np.zeros((n, len(items)), dtype=np.int64)
    choice = np.zeros((n, len(items)), dtype=np.int64)
    durations = np.zeros((n, len(items)))
    orders: dict[int, NDArray[np.int64]] = {}
    blank_chance = np.minimum(settings.omit_rate * np.exp(-0.7 * theta), 0.5)
    for j, item in enumerate(items):
        item_rng = np.random.default_rng([seed, 3, j])
        u_category, u_blank, u_choice = item_rng.random((3, n))
        drawn = _categories(item.parameters, theta, u_category)
        shift = settings.dif.get(j)
        if shift and focal.any():
            shifted = _categories(_shifted(item.parameters, shift), theta[focal], u_category[focal])
            drawn[focal] = shifted
        picks = np.zeros(n, dtype=np.int64)
        for k, cat in enumerate(item.categories):
            members = drawn == k
            if len(cat.responses) > 1 and members.any():
                appeal = np.log(np.asarray(cat.appeal))[None, :] - np.outer(
                    theta[members], np.asarray(cat.tilt)
                )
                weights = np.exp(appeal - appeal.max(axis=1, keepdims=True))
                weights /= weights.sum(axis=1, keepdims=True)
                cumulative = np.cumsum(weights, axis=1)[:, :-1]
                picks[members] = (u_choice[members][:, None] > cumulative).sum(axis=1)
        blank = (u_blank < blank_chance) & (not item.blank_in_model)
        category[:, j] = np.where(blank, -1, drawn)
        choice[:, j] = np.where(blank, -1, picks)
        seconds = item_rng.lognormal(math.log(item.seconds * scale), 0.45, n) * speed
        durations[:, j] = np.where(blank, 0.3, 1.0) * seconds
        if item.shuffle:
            base = np.tile(np.arange(len(item.shuffle)), (n, 1))
            orders[j] = item_rng.permuted(base, axis=1)
    return SimulatedResults(
        items=tuple(items),
        settings=settings,
        candidate_ids=candidate_ids(n, seed, focal if group is not None else None),
        theta=theta,
        focal=focal,
        category=category,
        choice=choice,
        durations=durations,
        orders=orders,
    )
