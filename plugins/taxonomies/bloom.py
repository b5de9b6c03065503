"""The revised Bloom's taxonomy (Anderson & Krathwohl, 2001): cognitive process levels.

The six categories of the cognitive process dimension, coded C1-C6 as in Indonesian
education (kisi-kisi commonly state the cognitive level of each item this way). C1-C3
are often called lower-order and C4-C6 higher-order thinking (HOTS). The nodes have no
levels of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from itembank.hookspecs import hookimpl
from itembank.taxonomy import Node, Taxonomy

CODE = "bloom-revised"

_CATEGORIES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "C1",
        "Mengingat",
        "Remember",
        "Memanggil kembali fakta, istilah, atau konsep dari ingatan.",
        "Recalling facts, terms or concepts from memory.",
    ),
    (
        "C2",
        "Memahami",
        "Understand",
        "Menjelaskan makna informasi dengan kata-kata sendiri, memberi contoh, meringkas.",
        "Making sense of information: explaining it in one's own words, giving examples, "
        "summarising.",
    ),
    (
        "C3",
        "Menerapkan",
        "Apply",
        "Menggunakan prosedur atau konsep yang sudah dikenal pada situasi tertentu.",
        "Using a known procedure or concept in a given situation.",
    ),
    (
        "C4",
        "Menganalisis",
        "Analyze",
        "Menguraikan sesuatu menjadi bagian-bagian dan menemukan hubungan di antaranya.",
        "Breaking something into its parts and working out how they relate.",
    ),
    (
        "C5",
        "Mengevaluasi",
        "Evaluate",
        "Menilai atau memutuskan berdasarkan kriteria dan bukti.",
        "Judging or deciding on the basis of criteria and evidence.",
    ),
    (
        "C6",
        "Mencipta",
        "Create",
        "Menyusun unsur-unsur menjadi sesuatu yang baru: merancang, merencanakan, menghasilkan.",
        "Putting elements together into something new: designing, planning, producing.",
    ),
)

TAXONOMY = Taxonomy(
    code=CODE,
    name={
        "id": "Taksonomi Bloom revisi (Anderson & Krathwohl, 2001)",
        "en": "Revised Bloom's taxonomy (Anderson & Krathwohl, 2001)",
    },
    nodes=[
        Node(
            code=code,
            name={"id": name_id, "en": name_en},
            description={"id": description_id, "en": description_en},
        )
        for code, name_id, name_en, description_id, description_en in _CATEGORIES
    ],
    source=(
        "Anderson, L. W., & Krathwohl, D. R. (Eds.) (2001). A Taxonomy for Learning, "
        "Teaching, and Assessing: A Revision of Bloom's Taxonomy of Educational Objectives. "
        "New York: Longman."
    ),
    version="2001",
)
"""The cognitive process dimension of the revised Bloom's taxonomy."""


@hookimpl
def itembank_register_taxonomies(register: Callable[[Taxonomy], None]) -> None:
    register(TAXONOMY)
