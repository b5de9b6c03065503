"""Run benchmarks one after another and print their headline figures in one table.

What ``make bench`` runs: each script in turn (never two at once: they are CPU heavy),
its output passed through as it comes, with the arguments given (``--quick`` by default
in the Makefile; ``BENCH_ARGS=`` for the full sizes). Every script ends by printing one
``BENCH-SUMMARY {json}`` line (``_common.summary``) with its headline figures, each
beside the baseline it measured in the same run; this script keeps those lines out of
the running output and prints them together at the end, with the target the issue sets
where there is one. A script that fails is listed as failed and the others still run;
the exit status is then 1. Run with::

    .venv/bin/python bench/run_all.py [--args "--quick"] qti_export qti_import ...
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import SUMMARY_PREFIX

HERE = Path(__file__).resolve().parent


def run(bench: str, args: list[str]) -> tuple[int, list[dict[str, Any]], float]:
    """Run ``bench/<bench>.py`` with ``args``, echoing its output but for the summary
    line; its exit status, its figures and its wall-clock seconds."""
    command = [sys.executable, str(HERE / f"{bench}.py"), *args]
    print(f"== bench/{bench}.py {' '.join(args)}".rstrip(), flush=True)
    figures: list[dict[str, Any]] = []
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(SUMMARY_PREFIX):
                figures += json.loads(line[len(SUMMARY_PREFIX) :])["figures"]
            else:
                print(line, end="", flush=True)
    print(flush=True)
    return process.returncode, figures, time.perf_counter() - start


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{shown} {unit}".rstrip()


def table(results: list[tuple[str, int, list[dict[str, Any]], float]]) -> str:
    """The summary table: one row per figure, benches in the order they ran."""
    header = (
        "bench",
        "figure",
        "value",
        "baseline (same run)",
        "baseline value",
        "ratio",
        "target",
    )
    rows: list[tuple[str, ...]] = []
    for bench, status, figures, seconds in results:
        if status != 0:
            rows.append((bench, f"FAILED (exit status {status}) after {seconds:.0f} s", *[""] * 5))
            continue
        if not figures:
            rows.append((bench, "(no summary line)", *[""] * 5))
        for figure in figures:
            ratio = figure.get("ratio")
            rows.append(
                (
                    bench,
                    figure["what"],
                    _number(figure["value"], figure["unit"]),
                    figure.get("baseline") or "",
                    _number(figure.get("baseline_value"), figure["unit"]),
                    f"{ratio:.2f}x" if ratio is not None else "",
                    figure.get("target") or "",
                )
            )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, tuple("-" * width for width in widths), *rows)
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benches", nargs="+", help="script names in bench/, without .py")
    parser.add_argument(
        "--args", default="", help='arguments for every script, e.g. "--quick" (default none)'
    )
    options = parser.parse_args()
    unknown = [bench for bench in options.benches if not (HERE / f"{bench}.py").is_file()]
    if unknown:
        parser.error(f"no such benchmark in bench/: {', '.join(unknown)}")
    args = shlex.split(options.args)
    results = [(bench, *run(bench, args)) for bench in options.benches]
    print("== summary: medians; each ratio is the figure over its baseline from the same run")
    print(table(results))
    return 1 if any(status != 0 for _, status, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
