"""applications.services.application_start_review(_many): eligible -> in review when
reviewers are assigned (DESIGN §5), called by the reviews app."""

import pytest

from accounts.models import AuditEvent
from applications.enums import ApplicationStatus, TransitionError
from applications.models import Application
from applications.services import application_start_review, application_start_review_many
from tests.applications.factories import ApplicationFactory
from tests.reviews.factories import challenge_in, eligible_application, programme_with_rubric, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge():
    return challenge_in(programme_with_rubric(), "autonomy")


def test_one_application_moves_once_and_is_audited(challenge):
    application = eligible_application(challenge=challenge)
    manager = staff()

    application_start_review(application=application, by=manager)
    application_start_review(application=application, by=manager)  # a reviewer added later

    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.IN_REVIEW, 2)
    events = AuditEvent.objects.filter(action="application.start_review", target_id=str(application.pk))
    assert list(events.values_list("actor", "before", "after")) == [
        (manager.pk, {"status": "eligible"}, {"status": "in_review"})
    ]


def test_a_draft_cannot_go_to_review(challenge):
    draft = ApplicationFactory(challenge=challenge, programme=challenge.programme)

    with pytest.raises(TransitionError):
        application_start_review(application=draft, by=staff())


def test_many_move_in_a_fixed_number_of_statements(challenge, django_assert_num_queries):
    applications = [eligible_application(challenge=challenge) for _ in range(5)]
    application_start_review(application=applications[0], by=None)
    manager = staff()

    # Lock, move, audit, and the savepoint around them (the test runs in a transaction).
    with django_assert_num_queries(5):
        moved = application_start_review_many(application_ids=[a.pk for a in applications], by=manager)

    assert moved == 4
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.IN_REVIEW}
    assert AuditEvent.objects.filter(action="application.start_review", actor=manager).count() == 4


def test_many_refuses_the_whole_batch_if_one_cannot_move(challenge):
    eligible = eligible_application(challenge=challenge)
    draft = ApplicationFactory(challenge=challenge, programme=challenge.programme)

    with pytest.raises(TransitionError):
        application_start_review_many(application_ids=[eligible.pk, draft.pk], by=None)

    eligible.refresh_from_db()
    assert eligible.status == ApplicationStatus.ELIGIBLE
