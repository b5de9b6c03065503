"""The review workflow: one state machine, in one place.

::

    draft ──submit──▶ in_review ──approve (enough reviewers)──▶ approved ──retire──▶ retired
                          │ ──request_changes──▶ changes_requested ──(new draft v+1)
                          │ ──withdraw (an author)──▶ withdrawn ──(new draft v+1)
                          └──reject──▶ rejected

A version is editable only while ``draft``. ``approved``, ``changes_requested`` and
``withdrawn`` versions can seed a new draft (the next version number). Everything else
is frozen.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from itembank.errors import Conflict


class Status(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    RETIRED = "retired"
    WITHDRAWN = "withdrawn"


class Action(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    RETIRE = "retire"
    WITHDRAW = "withdraw"


class Decision(enum.StrEnum):
    """What a reviewer can decide about a version in review."""

    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


#: Versions in these states block a new draft of the same item.
OPEN_STATUSES = frozenset({Status.DRAFT.value, Status.IN_REVIEW.value})

#: States a new draft can be started from.
DRAFTABLE_FROM = frozenset({Status.APPROVED, Status.CHANGES_REQUESTED, Status.WITHDRAWN})

#: States nobody can ever leave.
TERMINAL = frozenset({Status.REJECTED, Status.RETIRED})


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.SUBMIT, Status.DRAFT, Status.IN_REVIEW),
    Transition(Action.APPROVE, Status.IN_REVIEW, Status.APPROVED),
    Transition(Action.REQUEST_CHANGES, Status.IN_REVIEW, Status.CHANGES_REQUESTED),
    Transition(Action.REJECT, Status.IN_REVIEW, Status.REJECTED),
    Transition(Action.RETIRE, Status.APPROVED, Status.RETIRED),
    Transition(Action.WITHDRAW, Status.IN_REVIEW, Status.WITHDRAWN),
)

_BY_KEY = {(t.action, t.source): t for t in TRANSITIONS}

STATUS_LABELS: dict[Status, dict[str, str]] = {
    Status.DRAFT: {"id": "Draf", "en": "Draft"},
    Status.IN_REVIEW: {"id": "Dalam telaah", "en": "In review"},
    Status.APPROVED: {"id": "Disetujui", "en": "Approved"},
    Status.CHANGES_REQUESTED: {"id": "Perlu revisi", "en": "Changes requested"},
    Status.REJECTED: {"id": "Ditolak", "en": "Rejected"},
    Status.RETIRED: {"id": "Dipensiunkan", "en": "Retired"},
    Status.WITHDRAWN: {"id": "Ditarik", "en": "Withdrawn"},
}


class TransitionNotAllowed(Conflict):
    """The action is not possible from the version's current state."""

    code = "transition_not_allowed"

    def __init__(self, action: Action, source: Status):
        self.action = action
        self.source = source
        allowed = sorted(t.action.value for t in TRANSITIONS if t.source == source)
        hint = f"; from {source.value} you can: {', '.join(allowed)}" if allowed else ""
        super().__init__(
            f"cannot {action.value} a version that is {source.value}{hint}",
            action=action.value,
            status_now=source.value,
        )


def transition(action: Action | str, source: Status | str) -> Status:
    """The state ``action`` leads to from ``source``; raises
    :class:`TransitionNotAllowed` if the machine has no such edge."""
    action, source = Action(action), Status(source)
    found = _BY_KEY.get((action, source))
    if found is None:
        raise TransitionNotAllowed(action, source)
    return found.target


def allowed_actions(source: Status | str) -> list[Action]:
    source = Status(source)
    return [t.action for t in TRANSITIONS if t.source == source]


DECISION_ACTION = {
    Decision.APPROVE: Action.APPROVE,
    Decision.REQUEST_CHANGES: Action.REQUEST_CHANGES,
    Decision.REJECT: Action.REJECT,
}
