"""Review flags from item statistics: thresholds with defaults, codes and messages in
Indonesian and English. Nothing changes an item's status; flags only feed a review queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from itembank.psychometrics.classical import ClassicalResult
from itembank.psychometrics.dif import DifResult
from itembank.psychometrics.irt.results import Calibration


@dataclass(frozen=True)
class Thresholds:
    p_low: float = 0.20
    p_high: float = 0.95
    item_rest_min: float = 0.15
    option_share_min: float = 0.02
    misfit_p: float = 0.01
    a_min: float = 0.3
    dif_categories: tuple[str, ...] = ("C",)


@dataclass(frozen=True)
class Flag:
    code: str
    message: str  #: Indonesian
    message_en: str
    value: float | None = None


def _id(value: float, digits: int = 2) -> str:
    """A figure for an Indonesian message: a decimal comma (``0,15``)."""
    return f"{value:.{digits}f}".replace(".", ",")


def item_flags(
    classical: ClassicalResult | None = None,
    calibration: Calibration | None = None,
    dif: DifResult | None = None,
    thresholds: Thresholds | None = None,
) -> list[list[Flag]]:
    """Per item (in the order of the inputs, which must agree) the flags it raises."""
    t = thresholds or Thresholds()
    sizes = [
        len(classical.items.p) if classical else None,
        calibration.n_items if calibration else None,
        len(dif.category) if dif else None,
    ]
    known = {s for s in sizes if s is not None}
    if len(known) != 1:
        raise ValueError(f"item_flags: inputs disagree on the number of items ({sizes})")
    flags: list[list[Flag]] = [[] for _ in range(known.pop())]
    if classical:
        it = classical.items
        for j, out in enumerate(flags):
            p = float(it.p[j])
            if p < t.p_low:
                out.append(
                    Flag(
                        "p_low", f"Soal terlalu sukar (p = {_id(p)})", f"Too hard (p = {p:.2f})", p
                    )
                )
            elif p > t.p_high:
                out.append(
                    Flag(
                        "p_high", f"Soal terlalu mudah (p = {_id(p)})", f"Too easy (p = {p:.2f})", p
                    )
                )
            r = float(it.item_rest[j])
            if np.isfinite(r) and r < t.item_rest_min:
                out.append(
                    Flag(
                        "low_discrimination",
                        f"Daya pembeda rendah (r = {_id(r)})",
                        f"Low discrimination (item-rest r = {r:.2f})",
                        r,
                    )
                )
        if classical.options is not None:
            op = classical.options
            for j, out in enumerate(flags):
                if op.possible_miskey[j]:
                    opts = ", ".join(chr(65 + o) for o in op.miskey_options[j])
                    out.append(
                        Flag(
                            "possible_miskey",
                            f"Kemungkinan kunci salah atau soal ambigu (pengecoh {opts})",
                            f"Possible miskey or ambiguous item (distractor {opts})",
                        )
                    )
                rare = [
                    o
                    for o, s in enumerate(op.share[j])
                    if np.isfinite(s) and s < t.option_share_min
                ]
                if rare:
                    opts = ", ".join(chr(65 + o) for o in rare)
                    out.append(
                        Flag(
                            "rare_option",
                            f"Pilihan jawaban {opts} dipilih kurang dari "
                            f"{t.option_share_min:.0%} peserta (pengecoh tidak berfungsi)",
                            f"Option {opts} chosen by under {t.option_share_min:.0%}",
                        )
                    )
    if calibration:
        for est in calibration.items:
            out = flags[est.index]
            if (
                est.fit is not None
                and np.isfinite(est.fit.p_value)
                and est.fit.p_value < t.misfit_p
            ):
                out.append(
                    Flag(
                        "misfit",
                        f"Tidak cocok dengan model IRT (p = {_id(est.fit.p_value, 3)})",
                        f"Item misfit (p = {est.fit.p_value:.3f})",
                        est.fit.p_value,
                    )
                )
            if est.parameters.a < t.a_min:
                out.append(
                    Flag(
                        "low_slope",
                        f"Daya beda IRT rendah (a = {_id(est.parameters.a)})",
                        f"Low IRT slope (a = {est.parameters.a:.2f})",
                        est.parameters.a,
                    )
                )
    if dif:
        for j, out in enumerate(flags):
            cat = dif.category[j]
            if cat in t.dif_categories:
                side = {"reference": "kelompok acuan", "focal": "kelompok fokus"}.get(
                    dif.favours[j], ""
                )
                out.append(
                    Flag(
                        f"dif_{cat.lower()}",
                        f"DIF kategori {cat} (menguntungkan {side})",
                        f"DIF category {cat} (favours the {dif.favours[j]} group)",
                    )
                )
    return flags
