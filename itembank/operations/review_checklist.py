"""A bank's review checklist: criteria a reviewer answers with each decision.

Optional, per bank (``bank.settings["review_checklist"]``: a list of criteria, each
``{"code", "aspect", "text": {"id", "en"}}``, ``aspect`` one of :data:`ASPECTS`).
:data:`STANDARD` is the usual *kaidah penulisan soal* (substance, construction,
language); a bank admin turns it on with ``review_checklist: true`` or gives a list of
their own. When a bank has one, every decision answers every criterion (``yes``, ``no``
or ``na``) and the review keeps the criteria with the answers
(:attr:`itembank.models.Review.checklist`), so a later change of the list does not
change what a past review meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma

from itembank.errors import InvalidInput
from itembank.itemtypes import flatten_marshmallow_errors
from itembank.models import Bank

#: The three aspects of the *kaidah penulisan soal*, in order.
ASPECTS: dict[str, dict[str, str]] = {
    "substance": {"id": "Materi", "en": "Substance"},
    "construction": {"id": "Konstruksi", "en": "Construction"},
    "language": {"id": "Bahasa", "en": "Language"},
}
#: The answers a criterion takes.
ANSWERS: dict[str, dict[str, str]] = {
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Tidak", "en": "No"},
    "na": {"id": "Tidak berlaku", "en": "Not applicable"},
}


def _criterion(code: str, aspect: str, text_id: str, text_en: str) -> dict[str, Any]:
    return {"code": code, "aspect": aspect, "text": {"id": text_id, "en": text_en}}


#: The usual rules for writing (multiple-choice) items.
STANDARD: list[dict[str, Any]] = [
    _criterion(
        "M1",
        "substance",
        "Soal sesuai dengan kompetensi atau indikator yang diukur.",
        "The item fits the competency or indicator it measures.",
    ),
    _criterion(
        "M2",
        "substance",
        "Isi soal benar, mutakhir, dan sesuai jenjang jabatan.",
        "The content is correct, current and fits the position's level.",
    ),
    _criterion(
        "M3",
        "substance",
        "Pilihan jawaban homogen dan logis; pengecoh berfungsi.",
        "The options are homogeneous and plausible; the distractors work.",
    ),
    _criterion(
        "M4",
        "substance",
        "Hanya ada satu kunci yang paling tepat (atau bobot yang tepat).",
        "There is exactly one best key (or the weights are right).",
    ),
    _criterion(
        "K1",
        "construction",
        "Pokok soal singkat, jelas, dan tegas.",
        "The stem is short, clear and unambiguous.",
    ),
    _criterion(
        "K2",
        "construction",
        "Pokok soal tidak memberi petunjuk ke kunci dan bebas dari negatif ganda.",
        "The stem gives no clue to the key and has no double negative.",
    ),
    _criterion(
        "K3",
        "construction",
        "Gambar, grafik, atau tabel jelas dan berfungsi.",
        "Images, graphs or tables are clear and needed.",
    ),
    _criterion(
        "K4",
        "construction",
        "Panjang pilihan relatif sama; tidak ada 'semua benar' atau 'semua salah'.",
        "Options are of similar length; no 'all of the above' or 'none of the above'.",
    ),
    _criterion(
        "B1",
        "language",
        "Bahasa sesuai kaidah bahasa Indonesia (EYD).",
        "The language follows Indonesian usage rules (EYD).",
    ),
    _criterion(
        "B2",
        "language",
        "Tidak memakai bahasa setempat, tabu, atau yang menyinggung (bebas bias SARA).",
        "No local, taboo or offensive language (free of ethnic, religious or gender bias).",
    ),
    _criterion(
        "B3",
        "language",
        "Tidak mengulang kata atau kelompok kata yang sama tanpa perlu.",
        "No needless repetition of words or phrases.",
    ),
]


class _TextSchema(ma.Schema):
    id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class CriterionSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[A-Za-z0-9_.-]{1,16}$"))
    aspect = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ASPECTS)))
    text = ma.fields.Nested(_TextSchema, required=True)


def load_checklist(raw: Any) -> list[dict[str, Any]]:
    """A checklist setting checked: ``True`` is :data:`STANDARD`, ``False`` or ``[]``
    none, else a list of criteria with distinct codes."""
    if raw is True:
        return [dict(c) for c in STANDARD]
    if raw is False or raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput(
            "the review checklist must be true, false or a list of criteria",
            [
                {
                    "field": "review_checklist",
                    "message": "Daftar periksa harus true, false, atau daftar kriteria.",
                    "message_en": "The checklist must be true, false or a list of criteria.",
                }
            ],
        )
    try:
        criteria = CriterionSchema(many=True).load(raw)
    except ma.ValidationError as exc:
        problems = [
            {
                "field": f"review_checklist.{p.field}" if p.field else "review_checklist",
                "message": p.message,
                "message_en": p.message_en,
            }
            for p in flatten_marshmallow_errors(exc.messages)
        ]
        raise InvalidInput(
            "the review checklist is not valid: "
            + "; ".join(f"{p['field']}: {p['message_en']}" for p in problems),
            problems,
        ) from None
    codes = [c["code"] for c in criteria]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidInput(
            f"criterion codes used more than once: {', '.join(repeated)}",
            [
                {
                    "field": "review_checklist",
                    "message": f"Kode kriteria dipakai lebih dari sekali: {', '.join(repeated)}.",
                    "message_en": f"Criterion codes used more than once: {', '.join(repeated)}.",
                }
            ],
        )
    return criteria


def bank_checklist(bank: Bank) -> list[dict[str, Any]]:
    """The bank's checklist (``[]``: none)."""
    raw = bank.setting("review_checklist") or []
    return list(raw) if isinstance(raw, list) else []


def answered_checklist(
    bank: Bank, answers: Mapping[str, Any] | None
) -> list[dict[str, Any]] | None:
    """The bank's checklist with ``answers`` (code -> ``yes``/``no``/``na``), to keep
    with a review; ``None`` when the bank has none (and no answers were given).
    :class:`InvalidInput` names every criterion unanswered or answered wrongly."""
    criteria = bank_checklist(bank)
    answers = dict(answers or {})
    if not criteria:
        if answers:
            raise InvalidInput(
                f"bank {bank.code} has no review checklist",
                [
                    {
                        "field": "checklist",
                        "message": f"Bank {bank.code} tidak memakai daftar periksa telaah.",
                        "message_en": f"Bank {bank.code} has no review checklist.",
                    }
                ],
            )
        return None
    problems = []
    known = {c["code"] for c in criteria}
    for code in sorted(set(answers) - known):
        problems.append(
            {
                "field": f"checklist.{code}",
                "message": f"Kriteria '{code}' tidak ada di daftar periksa bank ini.",
                "message_en": f"Criterion '{code}' is not on this bank's checklist.",
            }
        )
    for criterion in criteria:
        answer = answers.get(criterion["code"])
        if answer not in ANSWERS:
            problems.append(
                {
                    "field": f"checklist.{criterion['code']}",
                    "message": f"Jawab kriteria {criterion['code']} "
                    f"({criterion['text']['id']}): Ya, Tidak, atau Tidak berlaku.",
                    "message_en": f"Answer criterion {criterion['code']} "
                    f"({criterion['text']['en']}): yes, no or not applicable.",
                }
            )
    if problems:
        raise InvalidInput(
            "the review checklist is not fully answered: "
            + ", ".join(p["field"] for p in problems),
            problems,
        )
    return [{**criterion, "answer": answers[criterion["code"]]} for criterion in criteria]
