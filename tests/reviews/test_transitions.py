"""The assignment state machine of DESIGN §5, move by move."""

import pytest

from reviews.enums import TRANSITIONS, AssignmentStatus, TransitionError, can_transition, ensure_transition

A = AssignmentStatus
LEGAL = {
    (A.ASSIGNED, A.ACCEPTED),
    (A.ASSIGNED, A.CONFLICTED),
    (A.ACCEPTED, A.SUBMITTED),
    (A.ASSIGNED, A.WITHDRAWN),
    (A.ACCEPTED, A.WITHDRAWN),
}


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in A for t in A])
def test_only_the_designed_moves_are_legal(current, target):
    assert can_transition(current, target) == ((current, target) in LEGAL)
    if (current, target) not in LEGAL:
        with pytest.raises(TransitionError):
            ensure_transition(current, target)


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(A)
