"""Matching a form's entries to the blueprint rows they fit: one maximum bipartite
matching (augmenting paths), shared by the form report and test assembly. Pure."""

from __future__ import annotations

from collections.abc import Sequence


def match_rows(fits: Sequence[Sequence[int]], capacity: Sequence[int]) -> dict[int, int]:
    """Assign entries to rows: ``fits[e]`` lists the rows entry ``e`` fits, in blueprint
    order; ``capacity[r]`` is row ``r``'s count. Returns entry -> row for the entries
    that fill a row, as many as possible. Entries are taken in order and rows tried in
    blueprint order, so the same input always gives the same matching: an entry takes the
    first row with room, and moves an earlier entry to another row only when that makes
    room (an augmenting path)."""
    holders: list[list[int]] = [[] for _ in capacity]
    owner: dict[int, int] = {}

    def augment(entry: int, visited: set[int]) -> bool:
        for row in fits[entry]:
            if row not in visited and len(holders[row]) < capacity[row]:
                visited.add(row)
                holders[row].append(entry)
                owner[entry] = row
                return True
        for row in fits[entry]:
            if row in visited:
                continue
            visited.add(row)
            for other in list(holders[row]):
                if augment(other, visited):
                    holders[row].remove(other)
                    holders[row].append(entry)
                    owner[entry] = row
                    return True
        return False

    for entry in range(len(fits)):
        if fits[entry]:
            augment(entry, set())
    return owner
