"""Delivery order within a section: blueprint row order, shuffled within rows (seeded),
adjusted so that no more than ``max_run`` consecutive items have the same key letter.

Items are taken one at a time: the first remaining item (in the preferred order) that
neither extends a run past ``max_run`` nor leaves the rest impossible (a key with ``c`` of
the ``n`` items left needs ``c <= max_run * (n - c + 1)``). Items without a key break runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def runs_ok(keys: Sequence[int], max_run: int) -> bool:
    """No more than ``max_run`` equal keys (>= 0) in a row."""
    run, last = 0, None
    for key in keys:
        if key >= 0 and key == last:
            run += 1
        else:
            run = 1
        last = key if key >= 0 else None
        if key >= 0 and run > max_run:
            return False
    return True


def order_section(keys: Sequence[int], max_run: int) -> list[int] | None:
    """Positions (into ``keys``, the items in preferred order) in delivery order, or
    ``None`` when no order meets the
    run rule (``keys[k]`` is item k's key code, -1 without a key)."""
    remaining = list(range(len(keys)))
    counts = Counter(k for k in keys if k >= 0)
    out: list[int] = []
    tail_key, tail_run = -1, 0
    while remaining:
        left = len(remaining) - 1
        chosen = None
        for position, k in enumerate(remaining):
            key = keys[k]
            if key >= 0 and key == tail_key and tail_run >= max_run:
                continue
            counts[key] -= 1 if key >= 0 else 0
            worst = max((c for c in counts.values() if c > 0), default=0)
            counts[key] += 1 if key >= 0 else 0
            if worst > max_run * (left - worst + 1):
                continue
            chosen = position
            break
        if chosen is None:
            chosen = next(
                (
                    p
                    for p, k in enumerate(remaining)
                    if not (keys[k] >= 0 and keys[k] == tail_key and tail_run >= max_run)
                ),
                None,
            )
            if chosen is None:
                return None
        k = remaining.pop(chosen)
        key = keys[k]
        if key >= 0:
            counts[key] -= 1
        tail_run = tail_run + 1 if key >= 0 and key == tail_key else 1
        tail_key = key
        out.append(k)
    return out if runs_ok([keys[k] for k in out], max_run) else None
