"""The application state machine, all of it (DESIGN §5)."""

import pytest

from applications.enums import (
    APPLICANT_WITHDRAWABLE,
    TRANSITIONS,
    ApplicationStatus,
    TransitionError,
    can_transition,
    ensure_transition,
)

S = ApplicationStatus

# DESIGN §5, written out edge by edge so that a change to the table has to change this too.
EXPECTED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.ELIGIBLE),
    (S.SUBMITTED, S.INELIGIBLE),
    (S.ELIGIBLE, S.IN_REVIEW),
    (S.IN_REVIEW, S.SELECTED),
    (S.IN_REVIEW, S.RESERVE),
    (S.IN_REVIEW, S.REJECTED),
    (S.RESERVE, S.SELECTED),
    (S.RESERVE, S.REJECTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.ELIGIBLE, S.WITHDRAWN),
    (S.IN_REVIEW, S.WITHDRAWN),
    # The staff override of the eligibility check, with a reason.
    (S.ELIGIBLE, S.INELIGIBLE),
    (S.INELIGIBLE, S.ELIGIBLE),
}

ALL_PAIRS = [(current, target) for current in S for target in S]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_transition_is_allowed_exactly_when_the_design_lists_it(current, target):
    expected = (current, target) in EXPECTED

    assert can_transition(current, target) is expected
    if expected:
        ensure_transition(current, target)
    else:
        with pytest.raises(TransitionError):
            ensure_transition(current, target)


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(S)


def test_applicant_may_withdraw_from_draft_submitted_eligible_and_in_review_only():
    assert {S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.IN_REVIEW} == APPLICANT_WITHDRAWABLE
    assert all((status, S.WITHDRAWN) in EXPECTED for status in APPLICANT_WITHDRAWABLE)


def test_transition_error_names_both_statuses():
    with pytest.raises(TransitionError, match="withdrawn cannot become submitted"):
        ensure_transition(S.WITHDRAWN, S.SUBMITTED)
