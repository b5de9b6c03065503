"""After a failed solve: the aggregate model again, with a slack column per rule and the
items the exposure rule left out allowed back at a cost. Minimising the total slack says
which rules had to give and by how much, in the blueprint's words."""

from __future__ import annotations

import numpy as np

from itembank.assembly.aggregate import build
from itembank.assembly.prepare import Problem
from itembank.assembly.result import Message

TIME_LIMIT = 10.0


def explain(problem: Problem, time_limit: float = TIME_LIMIT) -> list[Message]:
    agg = build(problem, slack=True)
    outcome = agg.model.solve(
        time_limit=time_limit,
        options={"threads": 1, "random_seed": problem.settings.seed, "mip_rel_gap": 0.0},
    )
    if outcome.x is None:
        return [
            Message(
                "unexplained",
                "Tidak ada paket yang memenuhi semua aturan, dan model longgar pun tidak"
                " terselesaikan dalam batas waktu; periksa aturan pasangan musuh dan set butir.",
                "No forms meet every rule, and the relaxed model did not finish within its"
                " time limit either; check the enemy pairs and item sets.",
                rule="solve",
            )
        ]
    x = outcome.x
    messages: list[Message] = []
    forms = problem.forms
    for rule, entries in agg.slacks.items():
        for col, label, k in entries:
            amount = float(x[col])
            if amount < 0.5:
                continue
            amount_i = round(amount)
            if rule == "rows":
                row = problem.labels[k]
                messages.append(
                    Message(
                        "row_relaxed",
                        f"Baris {row} kekurangan {amount_i} butir dari"
                        f" {int(problem.need[k]) * forms}"
                        f" yang diperlukan untuk {forms} paket.",
                        f"Row {row} is {amount_i} items short of the {int(problem.need[k]) * forms}"
                        f" needed for {forms} forms.",
                        row=row,
                        rule="blueprint",
                        numbers={"slack": amount},
                    )
                )
            elif rule in ("key_min", "key_max", "key_run"):
                section, letter = label.split(":")
                what_id = {
                    "key_min": "kurang dari batas bawah",
                    "key_max": "melebihi batas atas",
                    "key_run": "melebihi batas agar tidak ada deret kunci yang sama",
                }[rule]
                what_en = {
                    "key_min": "below the lower share",
                    "key_max": "above the upper share",
                    "key_run": "above what avoids runs of the same key",
                }[rule]
                messages.append(
                    Message(
                        "key_relaxed",
                        f"Bagian {section}: kunci {letter} {what_id} sebanyak {amount_i} butir"
                        f" (jumlah semua paket).",
                        f"Section {section}: key {letter} is {what_en} by {amount_i} items"
                        f" (over all forms).",
                        rule="key_balance",
                        numbers={"slack": amount},
                    )
                )
            elif rule == "include":
                item = problem.pool.item_ids[problem.include[k]]
                messages.append(
                    Message(
                        "include_relaxed",
                        f"Butir {item} yang dipilih untuk dimasukkan tidak dapat dimuat.",
                        f"Item {item}, chosen to be included, cannot be placed.",
                        rule="include",
                        numbers={"slack": amount},
                    )
                )
            elif rule == "enemies":
                messages.append(
                    Message(
                        "enemies_relaxed",
                        f"Pasangan musuh {label} harus berada dalam satu paket.",
                        f"Enemy pair {label} would have to share a form.",
                        rule="enemies",
                        numbers={"slack": amount},
                    )
                )
    if agg.readmitted is not None and agg.readmitted.any():
        used = np.zeros(problem.pool.size)
        np.add.at(used, agg.pair_item, x[agg.z])
        back = int((used[agg.readmitted] > 0.5).sum())
        if back:
            messages.append(
                Message(
                    "exposure_relaxed",
                    f"Aturan paparan harus melepas {back} butir agar kisi-kisi terpenuhi.",
                    f"The exposure rule would have to let {back} items back in"
                    " to fill the blueprint.",
                    rule="exposure",
                    numbers={"slack": float(back)},
                )
            )
    if not messages:
        messages.append(
            Message(
                "partition_failed",
                "Butir yang dipilih tidak dapat dibagi ke dalam paket tanpa melanggar aturan"
                " pasangan musuh, set butir atau keseimbangan kunci; coba kurangi jumlah paket"
                " atau longgarkan aturan tersebut.",
                "The chosen items cannot be divided into forms without breaking the enemy,"
                " item-set or key-balance rules; try fewer forms or looser rules.",
                rule="partition",
            )
        )
    return messages
