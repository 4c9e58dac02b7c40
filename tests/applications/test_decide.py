"""applications.services.application_decide: the released decision on an application."""

import pytest

from accounts.models import AuditEvent
from applications import services
from applications.enums import ApplicationStatus, TransitionError
from notifications.enums import Category
from notifications.models import Message
from tests.applications.factories import ApplicationFactory, OrganisationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _application(status):
    owner = UserFactory()
    return ApplicationFactory(
        organisation=OrganisationFactory(owner=owner),
        created_by=owner,
        status=status,
        reference="DIANA-2026-00077",
        submitted_at="2026-07-01T10:00:00Z",
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [(S.IN_REVIEW, S.SELECTED), (S.IN_REVIEW, S.RESERVE), (S.IN_REVIEW, S.REJECTED), (S.RESERVE, S.SELECTED)],
)
def test_decide_moves_stores_the_feedback_and_queues_the_message(before, after):
    application = _application(before)
    by = UserFactory()

    services.application_decide(application=application, status=after, feedback="  Reviewer 1: Good.  ", by=by)

    application.refresh_from_db()
    assert (application.status, application.decision_feedback) == (after, "Reviewer 1: Good.")
    assert application.decided_at is not None
    owner = application.organisation.members.get()
    message = Message.objects.get()
    assert (message.key, message.category, message.recipient) == (
        f"decision:{application.pk}:{after}:{owner.pk}",
        Category.DECISION,
        owner,
    )
    assert "Reviewer 1: Good." in message.body_text
    event = AuditEvent.objects.get(action="application.decide")
    assert (event.before, event.after, event.actor) == ({"status": before}, {"status": after}, by)


@pytest.mark.parametrize(
    ("before", "after"), [(S.ELIGIBLE, S.SELECTED), (S.SELECTED, S.REJECTED), (S.RESERVE, S.RESERVE)]
)
def test_decide_refuses_a_move_the_table_does_not_allow(before, after):
    application = _application(before)

    with pytest.raises(TransitionError):
        services.application_decide(application=application, status=after, feedback="", by=UserFactory())

    assert not Message.objects.exists()


def test_decide_refuses_a_status_that_is_not_a_decision():
    with pytest.raises(services.NotADecision):
        services.application_decide(
            application=_application(S.IN_REVIEW), status=S.WITHDRAWN, feedback="", by=UserFactory()
        )
