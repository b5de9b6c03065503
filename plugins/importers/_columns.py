"""The spreadsheet format's columns: their Indonesian names, English aliases and help.

One row is one item. Headers are matched case- and space-insensitively (``Opsi A``,
``opsi_a`` and ``OPSI-A`` are the same column); each column has an Indonesian name (used
in templates) and English aliases. Which columns build which part of an item type's
content is in :mod:`plugins.importers._layouts`; reading the cells themselves, in
:mod:`plugins.importers._cells`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LETTERS = "ABCDEFGHIJ"
MAX_PREMISES = 10
MAX_CRITERIA = 10
MAX_CLASSIFICATIONS = 20


def normalise(header: str) -> str:
    """``" Opsi-A "`` -> ``"opsi_a"``."""
    text = header.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


@dataclass(frozen=True)
class Column:
    """A column: its Indonesian name (templates use it) and accepted aliases."""

    name: str
    aliases: tuple[str, ...] = ()
    help_id: str = ""
    help_en: str = ""


def _col(name: str, *aliases: str, help_id: str = "", help_en: str = "") -> Column:
    return Column(name, aliases, help_id, help_en)


TYPE = _col(
    "jenis_soal",
    "type",
    "item_type",
    "jenis",
    help_id="Kode atau nama jenis soal, mis. single_choice atau Pilihan ganda.",
    help_en="Item type id or name, e.g. single_choice or Single choice.",
)
ITEM_ID = _col(
    "id_soal",
    "item_id",
    "external_id",
    help_id="Kosongkan untuk soal baru; isi dengan ID soal di bank untuk membuat versi baru.",
    help_en="Leave empty for a new item; an item id of the bank makes a new draft version.",
)
STEM = _col(
    "pokok_soal",
    "stem",
    "question",
    help_id="Teks soal. Teks biasa, atau HTML (<p>, <strong>, ...).",
    help_en="The stem: plain text, or HTML (<p>, <strong>, ...).",
)
TAXONOMY = _col(
    "taksonomi",
    "taxonomy",
    help_id="Kode taksonomi (lihat lembar Taksonomi).",
    help_en="Taxonomy code (see the Taksonomi sheet).",
)
NODE = _col(
    "kode_klasifikasi",
    "classification_code",
    "node",
    "node_code",
    "kode",
    help_id="Kode kompetensi/aspek di taksonomi itu.",
    help_en="The competency or area code in that taxonomy.",
)
LEVEL = _col(
    "level",
    "tingkat",
    help_id="Level kompetensi (angka), bila taksonomi memilikinya.",
    help_en="Competency level (a number), where the taxonomy has levels.",
)
MORE_CLASSIFICATIONS = _col(
    "klasifikasi_lain",
    "other_classifications",
    help_id="Klasifikasi tambahan: taksonomi:kode[:level], dipisah titik koma.",
    help_en="More classifications: taxonomy:code[:level], separated by semicolons.",
)
DIFFICULTY = _col(
    "tingkat_kesukaran",
    "difficulty",
    help_id="Perkiraan tingkat kesukaran, 0 sampai 1.",
    help_en="Estimated difficulty, 0 to 1.",
)
TAGS = _col("tag", "tags", help_id="Dipisah koma.", help_en="Comma-separated.")
LANGUAGE = _col("bahasa", "language", help_id="Kode bahasa, mis. id.", help_en="e.g. id.")
NOTES = _col("catatan", "notes", help_id="Catatan penulis.", help_en="Author notes.")
CONTENT_JSON = _col(
    "isi_json",
    "content_json",
    help_id="Seluruh isi soal sebagai JSON (untuk jenis soal tanpa kolom khusus).",
    help_en="The whole content as JSON (for item types without columns of their own).",
)

KEY = _col(
    "kunci",
    "key",
    "keys",
    "kunci_jawaban",
    "answer_key",
    help_id="Kunci jawaban: huruf opsi (A), beberapa huruf (A, C), urutan (B, D, A), "
    "Benar/Salah, atau pasangan (1-B; 2-C).",
    help_en="Answer key: an option letter (A), several (A, C), an order (B, D, A), "
    "True/False, or pairs (1-B; 2-C).",
)
POINTS = _col("poin", "points", "skor", help_id="Skor soal.", help_en="The item's points.")
SCORING = _col(
    "penilaian",
    "scoring",
    help_id="semua_atau_tidak, sebagian atau berbobot (nilai per opsi di bobot_a .., per "
    "pasangan di bobot_pasangan); melengkapi rumpang: per_rumpang atau berbobot; mengurutkan: "
    "semua_atau_tidak atau per_posisi.",
    help_en="all_or_nothing, partial or mapped (a value per option in bobot_a .., per pair "
    "in bobot_pasangan); gap match: per_rumpang (per gap) or berbobot (mapped); ordering: "
    "semua_atau_tidak or per_posisi (per position).",
)
MAPPED_DEFAULT = _col(
    "bobot_lain",
    "default_value",
    help_id="Penilaian berbobot: nilai opsi atau pasangan tanpa bobot sendiri (bawaan 0).",
    help_en="Mapped scoring: the value of an option or pair without its own (default 0).",
)
MAPPED_LOWER = _col(
    "skor_terendah",
    "lower_bound",
    help_id="Penilaian berbobot: skor terendah (bawaan 0).",
    help_en="Mapped scoring: the lowest score (default 0).",
)
PAIR_VALUES = _col(
    "bobot_pasangan",
    "pair_values",
    help_id="Penilaian berbobot: nilai pasangan, mis. 1-B=1; 2-C=0,5; 1-C=-1.",
    help_en="Mapped scoring: pair values, e.g. 1-B=1; 2-C=0.5; 1-C=-1.",
)
SHUFFLE = _col("acak", "shuffle", help_id="Ya/Tidak.", help_en="Yes/No.")
MIN_CHOICES = _col("min_pilihan", "min_choices")
MAX_CHOICES = _col("maks_pilihan", "max_choices")
SCALE_MIN = _col("bobot_min", "scale_min", "weight_min")
SCALE_MAX = _col("bobot_maks", "scale_max", "weight_max")
ACCEPTED = _col(
    "jawaban_diterima",
    "accepted_answers",
    "accepted",
    help_id="Jawaban yang diterima, dipisah tanda | atau baris baru.",
    help_en="Accepted answers, separated by | or line breaks.",
)
CASE_SENSITIVE = _col("peka_huruf_besar", "case_sensitive", help_id="Ya/Tidak.")
EXPECTED_LENGTH = _col("panjang_jawaban", "expected_length")
DIRECTION = _col("arah", "direction", help_id="positif atau negatif.", help_en="positive/negative.")
TEXT = _col(
    "teks",
    "text",
    help_id="Teks dengan tanda [[G1]], [[G2]] (rumpang) atau [[H1]], [[H2]] (teks pilihan).",
    help_en="The text, with [[G1]], [[G2]] (gaps) or [[H1]], [[H2]] (hot texts).",
)
MAX_HOT_TEXTS = 10
MAX_GAP_COLUMNS = 10


def gap_options(number: int) -> Column:
    return _col(
        f"rumpang_{number}",
        f"gap_{number}",
        help_id="Pilihan dipisah |, kunci diawali *: Bogor | *Bandung | Bekasi.",
        help_en="Options separated by |, the key with a leading *: Bogor | *Bandung.",
    )


REUSE_WORDS = _col("pakai_ulang", "reuse_words", help_id="Ya/Tidak.", help_en="Yes/No.")


def gap_points(number: int) -> Column:
    return _col(f"poin_rumpang_{number}", f"gap_points_{number}")


def hot_text(number: int) -> Column:
    return _col(f"teks_pilihan_{number}", f"hot_text_{number}")


NUMERIC_ANSWER = _col(
    "jawaban_bilangan",
    "numeric_answer",
    help_id="Jawaban benar berupa bilangan, mis. 1,54.",
    help_en="The correct answer, a number, e.g. 1.54.",
)
SLIDER_LOWER = _col(
    "batas_bawah",
    "lower_bound_scale",
    help_id="Penggeser: nilai terkecil skala (0 atau lebih).",
    help_en="Slider: the scale's lowest value (0 or more).",
)
SLIDER_UPPER = _col(
    "batas_atas",
    "upper_bound_scale",
    help_id="Penggeser: nilai terbesar skala.",
    help_en="Slider: the scale's highest value.",
)
SLIDER_STEP = _col(
    "langkah",
    "step",
    help_id="Penggeser: jarak antarnilai (bilangan bulat, bawaan 1).",
    help_en="Slider: the step between values (a whole number, default 1).",
)
SLIDER_INTEGER = _col(
    "bilangan_bulat",
    "integer",
    help_id="Penggeser: Ya (bilangan bulat) atau Tidak.",
    help_en="Slider: Yes (whole numbers) or No.",
)
SLIDER_VALUES = _col(
    "bobot_nilai",
    "value_scores",
    help_id="Penggeser berbobot: skor per nilai, mis. 16=1; 15=0,5; 0=-1.",
    help_en="Mapped slider: a score per value, e.g. 16=1; 15=0.5; 0=-1.",
)
TOLERANCE = _col(
    "toleransi",
    "tolerance",
    help_id="0 (harus tepat), selisih terbesar (mutlak) atau persen (relatif).",
    help_en="0 (exact), the largest difference (absolute) or a percentage (relative).",
)
TOLERANCE_MODE = _col(
    "jenis_toleransi",
    "tolerance_mode",
    help_id="mutlak atau relatif.",
    help_en="absolute or relative.",
)


def option(letter: str) -> Column:
    return _col(f"opsi_{letter.lower()}", f"option_{letter.lower()}", f"pilihan_{letter.lower()}")


def weight(letter: str) -> Column:
    return _col(f"bobot_{letter.lower()}", f"weight_{letter.lower()}")


def premise(number: int) -> Column:
    return _col(f"premis_{number}", f"premise_{number}")


def criterion(number: int) -> Column:
    return _col(f"kriteria_{number}", f"criterion_{number}")


def max_points(number: int) -> Column:
    return _col(f"skor_maks_{number}", f"max_points_{number}")


COMMON = (
    TYPE,
    ITEM_ID,
    STEM,
    TAXONOMY,
    NODE,
    LEVEL,
    MORE_CLASSIFICATIONS,
    DIFFICULTY,
    TAGS,
    LANGUAGE,
    NOTES,
)
