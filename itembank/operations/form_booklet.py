"""A form's whole text (*naskah soal*) for panel review and archiving.

Every entry in delivery order (sections by position, entries by position within them),
numbered from 1 across the form, as the candidate sees it; the reviewer variant adds
each item's key and classification. Showing it is what gets printed, so each showing is
recorded as ``form.print`` with the variant and the watermark it carried (who, when).
Assemblers and bank admins only, like the form itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import InvalidInput
from itembank.models import Form, FormEntry, FormSection, User
from itembank.models._types import utcnow
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.form_report import load_form_entries

VARIANTS = ("candidate", "reviewer")


@dataclass
class BookletSection:
    section: FormSection
    entries: list[tuple[int, FormEntry]] = field(default_factory=list)


@dataclass
class Booklet:
    form: Form
    variant: str
    printed_by: User
    printed_at: datetime
    sections: list[BookletSection]

    @property
    def length(self) -> int:
        return sum(len(s.entries) for s in self.sections)


def form_booklet(form: Form, *, actor: User, variant: str) -> Booklet:
    """The form's booklet for ``actor``; records ``form.print``."""
    require_role(actor, form.bank, *ASSEMBLY_ROLES, doing="print test forms")
    if variant not in VARIANTS:
        raise InvalidInput(
            f"unknown variant {variant!r}; use candidate or reviewer",
            [
                {
                    "field": "variant",
                    "message": "Varian tidak dikenal: pilih peserta (candidate) atau "
                    "penelaah (reviewer).",
                    "message_en": "Unknown variant: choose candidate or reviewer.",
                }
            ],
        )
    sections: list[BookletSection] = []
    number = 0
    for entry in load_form_entries(form):
        if not sections or sections[-1].section.id != entry.section_id:
            sections.append(BookletSection(entry.section))
        number += 1
        sections[-1].entries.append((number, entry))
    now = utcnow()
    record(
        "form.print",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        variant=variant,
        entries=number,
        revision=form.revision,
        watermark={"user": actor.username, "at": now.isoformat()},
    )
    return Booklet(form=form, variant=variant, printed_by=actor, printed_at=now, sections=sections)
