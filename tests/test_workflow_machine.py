"""The state machine on its own: every (action, state) pair, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from itembank.workflow import Action, Status, TransitionNotAllowed, allowed_actions, transition

# Written out by hand from the issue, not derived from the code under test.
EXPECTED = {
    (Action.SUBMIT, Status.DRAFT): Status.IN_REVIEW,
    (Action.APPROVE, Status.IN_REVIEW): Status.APPROVED,
    (Action.REQUEST_CHANGES, Status.IN_REVIEW): Status.CHANGES_REQUESTED,
    (Action.REJECT, Status.IN_REVIEW): Status.REJECTED,
    (Action.RETIRE, Status.APPROVED): Status.RETIRED,
    # issue 18.7: an author withdraws a version from review
    (Action.WITHDRAW, Status.IN_REVIEW): Status.WITHDRAWN,
}


@pytest.mark.parametrize(("action", "source"), list(itertools.product(Action, Status)))
def test_every_action_from_every_state(action: Action, source: Status) -> None:
    expected = EXPECTED.get((action, source))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as info:
            transition(action, source)
        assert f"cannot {action.value} a version that is {source.value}" in str(info.value)
    else:
        assert transition(action, source) is expected


def test_terminal_states_have_no_way_out() -> None:
    assert allowed_actions(Status.REJECTED) == []
    assert allowed_actions(Status.RETIRED) == []
    assert allowed_actions(Status.CHANGES_REQUESTED) == []


def test_refusal_names_what_is_possible() -> None:
    with pytest.raises(TransitionNotAllowed, match="from in_review you can: approve, reject"):
        transition("submit", "in_review")


def test_unknown_names_are_value_errors() -> None:
    with pytest.raises(ValueError):
        transition("publish", "draft")
