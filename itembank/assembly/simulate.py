"""A seeded simulated pool and blueprint shaped like a 400-item competency test.

Five content areas (managerial, socio-cultural and technical competencies) with quotas
that sum to the test length; items classified under an area's node at a level 1-5;
3PL parameters (a log-normal around 1, b standard normal, c near 0.2), the classical p
implied for a standard normal population, single-choice key letters A-E, exposure
figures, and enemy pairs within areas. Everything comes from ``numpy.random.default_rng
(seed)``: the same arguments give the same pool. Clearly simulated: item ids start at
``first_id`` and nothing here is real content.
"""

from __future__ import annotations

import numpy as np

from itembank.assembly import irt
from itembank.assembly.model import Blueprint, Pool, Row, Section

#: (node path, title, share of the test)
AREAS: tuple[tuple[str, str, float], ...] = (
    ("SIM/M.1", "Integritas", 0.25),
    ("SIM/M.4", "Orientasi pada Hasil", 0.225),
    ("SIM/M.8", "Pengambilan Keputusan", 0.2),
    ("SIM/SK.1", "Perekat Bangsa", 0.175),
    ("SIM/T", "Teknis", 0.15),
)
LETTERS = ("A", "B", "C", "D", "E")


def quotas(length: int, areas: tuple[tuple[str, str, float], ...] = AREAS) -> list[int]:
    """Items per area for a test of ``length`` (largest remainders)."""
    raw = np.array([share for _, _, share in areas]) * length
    counts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - counts), kind="stable")[: length - counts.sum()]:
        counts[k] += 1
    return counts.tolist()


def simulate_blueprint(
    length: int = 400, areas: tuple[tuple[str, str, float], ...] = AREAS
) -> Blueprint:
    """One section per area, one row each, counts from :func:`quotas`."""
    return Blueprint(
        sections=tuple(
            Section(title=title, rows=(Row(count=count, node=path, item_types=("single_choice",)),))
            for (path, title, _), count in zip(areas, quotas(length, areas), strict=True)
        )
    )


def simulate_pool(
    items: int = 6000,
    *,
    seed: int = 0,
    enemy_pairs: int = 600,
    areas: tuple[tuple[str, str, float], ...] = AREAS,
    first_id: int = 1,
) -> Pool:
    """``items`` simulated items spread over ``areas`` by their shares."""
    rng = np.random.default_rng(seed)
    per_area = quotas(items, areas)
    area = np.repeat(np.arange(len(areas)), per_area)
    a = np.exp(rng.normal(0.0, 0.3, items))
    b = rng.normal(0.0, 1.0, items)
    c = rng.beta(5.0, 20.0, items)
    nodes = np.linspace(-4, 4, 41)
    weights = np.exp(-(nodes**2) / 2)
    weights /= weights.sum()
    p = irt.probability(a, b, c, nodes) @ weights
    levels = rng.integers(1, 6, items)
    keys = [LETTERS[k] for k in rng.integers(0, len(LETTERS), items)]
    ids = np.arange(first_id, first_id + items)
    enemies: set[tuple[int, int]] = set()
    while len(enemies) < enemy_pairs:
        i = int(rng.integers(0, items))
        same = np.flatnonzero(area == area[i])
        j = int(same[rng.integers(0, same.size)])
        if i != j:
            enemies.add((int(ids[min(i, j)]), int(ids[max(i, j)])))
    return Pool(
        item_ids=ids,
        classifications=[
            ((areas[k][0], int(level)),) for k, level in zip(area, levels, strict=True)
        ],
        item_types=["single_choice"] * items,
        keys=keys,
        a=a,
        b=b,
        c=c,
        p=p,
        exposure=rng.beta(1.0, 12.0, items),
        days_since_use=np.where(rng.random(items) < 0.7, np.nan, rng.integers(0, 365, items)),
        flagged=rng.random(items) < 0.02,
        enemies=sorted(enemies),
    )
