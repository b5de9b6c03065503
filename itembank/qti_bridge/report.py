"""The import report: one :class:`ReportEntry` per file and item, with a stable reason id
(:data:`REASONS`) and messages in Indonesian and English (pure: no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["imported", "not_imported", "skipped", "note"]

#: Reason id -> (Indonesian, English) headline; the entry adds the details.
REASONS: dict[str, tuple[str, str]] = {
    "imported": ("Diimpor", "Imported"),
    "invalid_xml": ("XML tidak valid", "Invalid XML"),
    "not_an_item": ("Bukan butir soal", "Not an assessment item"),
    "unsupported_version": ("Versi QTI tidak didukung", "Unsupported QTI version"),
    "unsupported_interaction": ("Interaksi tidak didukung", "Unsupported interaction"),
    "several_interactions": ("Lebih dari satu interaksi", "More than one interaction"),
    "no_interaction": ("Tidak ada interaksi", "No interaction"),
    "unsupported_content": ("Isi tidak dapat dipertahankan", "Content that cannot be kept"),
    "template_processing": ("Pemrosesan templat (soal acak)", "Template processing"),
    "adaptive": ("Soal adaptif", "Adaptive item"),
    "unsupported_response": ("Jawaban tidak didukung", "Unsupported response"),
    "custom_response_processing": (
        "Pemrosesan jawaban khusus",
        "Custom response processing",
    ),
    "no_scoring": ("Tidak ada pemrosesan jawaban", "No response processing"),
    "invalid_item": ("Butir soal tidak valid", "Invalid item"),
    "missing_media": ("Media tidak ada", "Missing media"),
    "unsupported_media": ("Media tidak didukung", "Unsupported media"),
    "empty_stem": ("Pokok soal kosong", "Empty stem"),
    "no_item_type": ("Tidak ada jenis soal yang sesuai", "No matching item type"),
    "not_representable": ("Tidak dapat dinyatakan", "Cannot be represented"),
    "content_invalid": ("Isi soal tidak valid", "Invalid content"),
    "scoring_mismatch": ("Penskoran tidak sama", "Scoring differs"),
    "proof_incomplete": (
        "Pembuktian penskoran tidak dapat lengkap",
        "Scoring proof cannot be complete",
    ),
    "missing_stimulus": ("Bacaan (stimulus) tidak terbaca", "Passage (stimulus) unreadable"),
    "several_stimuli": ("Lebih dari satu bacaan", "More than one passage"),
    "feedback_dropped": ("Umpan balik tidak diimpor", "Feedback left out"),
    "style_dropped": ("Gaya tampilan tidak diimpor", "Style left out"),
    "rubric_dropped": ("Rubrik tidak diimpor", "Rubric left out"),
    "internal_error": ("Kesalahan internal", "Internal error"),
    # source problems (qti.package_reader)
    "not_found": ("Tidak ditemukan", "Not found"),
    "not_a_zip": ("Bukan berkas zip", "Not a zip file"),
    "unsafe_path": ("Jalur berkas tidak aman", "Unsafe path"),
    "symlink": ("Tautan simbolik", "Symbolic link"),
    "zip_bomb": ("Kemungkinan bom zip", "Possible zip bomb"),
    "too_large": ("Terlalu besar", "Too large"),
    "too_many_files": ("Terlalu banyak berkas", "Too many files"),
    "encrypted": ("Terenkripsi", "Encrypted"),
    "unreadable": ("Tidak dapat dibaca", "Unreadable"),
    "invalid_manifest": ("Manifes tidak valid", "Invalid manifest"),
    "no_manifest": ("Tanpa manifes", "No manifest"),
    "missing_file": ("Berkas tidak ada", "Missing file"),
    "manifest": ("Manifes", "Manifest"),
}


@dataclass(frozen=True)
class ReportEntry:
    """One line of the import report.

    :ivar file: the file in the source (``items/q1.xml``), or the source itself.
    :ivar item: the item's identifier, when known.
    :ivar line: the line in ``file`` the reason points at, when known.
    :ivar status: ``imported``, ``not_imported``, ``skipped`` (a file that is not an
        item: a test, a manifest) or ``note`` (something left out of an imported item, or
        a remark about the source).
    :ivar reason: a stable id from :data:`REASONS`.
    :ivar type_id: for ``imported``, the item type it became.
    """

    file: str
    item: str | None
    line: int | None
    status: Status
    reason: str
    message: str
    message_en: str
    type_id: str | None = None


def entry(
    file: str,
    item: str | None,
    line: int | None,
    status: Status,
    reason: str,
    detail_en: str = "",
    detail_id: str | None = None,
    type_id: str | None = None,
) -> ReportEntry:
    head_id, head_en = REASONS.get(reason, (reason, reason))
    detail_id = detail_en if detail_id is None else detail_id
    return ReportEntry(
        file,
        item,
        line,
        status,
        reason,
        f"{head_id}: {detail_id}" if detail_id else head_id,
        f"{head_en}: {detail_en}" if detail_en else head_en,
        type_id,
    )
