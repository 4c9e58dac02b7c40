"""The deadline is hard and uses the server clock: opens_at <= now < closes_at (DESIGN §5)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import (
    DeadlinePassed,
    application_start,
    application_submit,
    application_update_section,
    application_withdraw,
)
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    attach_pitch_deck,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OPENS = datetime.datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
CLOSES = datetime.datetime(2026, 7, 11, 12, 0, tzinfo=UTC)
ONE_SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def draft():
    programme = ProgrammeFactory(opens_at=OPENS, closes_at=CLOSES)
    with time_machine.travel(OPENS + datetime.timedelta(days=1), tick=False):
        application = ApplicationFactory(challenge=ChallengeFactory(programme=programme))
        attach_pitch_deck(application)
    return application


def test_submission_one_second_before_the_close_is_accepted(draft):
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        application = application_submit(application=draft, by=draft.created_by)

    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.submitted_at == CLOSES - ONE_SECOND


def test_submission_at_the_close_is_refused(draft):
    with time_machine.travel(CLOSES, tick=False), pytest.raises(DeadlinePassed, match="11 July 2026, 12:00:00"):
        application_submit(application=draft, by=draft.created_by)

    draft.refresh_from_db()
    assert (draft.status, draft.reference, draft.submitted_at) == (ApplicationStatus.DRAFT, None, None)


def test_submission_before_the_call_opens_is_refused(draft):
    with time_machine.travel(OPENS - ONE_SECOND, tick=False), pytest.raises(DeadlinePassed, match="not opened"):
        application_submit(application=draft, by=draft.created_by)


def test_submission_at_the_opening_instant_is_accepted(draft):
    with time_machine.travel(OPENS, tick=False):
        assert application_submit(application=draft, by=draft.created_by).status == ApplicationStatus.ELIGIBLE


def test_submission_to_an_unpublished_programme_is_refused(draft):
    draft.programme.published = False
    draft.programme.save()

    with time_machine.travel(CLOSES - ONE_SECOND, tick=False), pytest.raises(DeadlinePassed):
        application_submit(application=draft, by=draft.created_by)


def test_editing_a_draft_one_second_before_the_close_is_accepted(draft):
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        application_update_section(
            application=draft,
            section="team",
            values={"team": "Nine engineers."},
            expected_version=0,
            by=draft.created_by,
        )

    assert Application.objects.get(pk=draft.pk).team == "Nine engineers."


def test_editing_a_draft_at_the_close_is_refused(draft):
    with time_machine.travel(CLOSES, tick=False), pytest.raises(DeadlinePassed):
        application_update_section(
            application=draft, section="team", values={"team": "Too late."}, expected_version=0, by=draft.created_by
        )

    assert Application.objects.get(pk=draft.pk).team != "Too late."


def test_starting_a_draft_at_the_close_is_refused(draft):
    with time_machine.travel(CLOSES, tick=False), pytest.raises(DeadlinePassed):
        application_start(organisation=OrganisationFactory(), challenge=draft.challenge, by=draft.created_by)


def test_uploading_at_the_close_is_refused(draft):
    from applications.services import attachment_upload

    with time_machine.travel(CLOSES, tick=False), pytest.raises(DeadlinePassed):
        attachment_upload(
            application=draft, kind="technical_annex", file=pdf_upload(), name="annex.pdf", by=draft.created_by
        )


def test_withdrawal_stays_possible_after_the_close(draft):
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        application_submit(application=draft, by=draft.created_by)

    with time_machine.travel(CLOSES + datetime.timedelta(days=20), tick=False):
        application = application_withdraw(application=draft, by=draft.created_by)

    assert application.status == ApplicationStatus.WITHDRAWN


def test_submit_page_at_the_close_shows_the_refusal_and_changes_nothing(client, draft):
    from applications.models import Membership

    Membership.objects.create(organisation=draft.organisation, user=draft.created_by, role="owner")
    client.force_login(draft.created_by)

    with time_machine.travel(CLOSES, tick=False):
        response = client.post(reverse("applications:submit", args=[draft.pk]), follow=True)

    assert "The call closed at 11 July 2026, 12:00:00 UTC" in response.content.decode()
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.DRAFT


def test_the_deadline_in_a_refusal_names_the_month_in_the_reader_language(draft):
    with (
        translation.override("fr"),
        time_machine.travel(CLOSES, tick=False),
        pytest.raises(DeadlinePassed, match="11 juillet 2026, 12:00:00"),
    ):
        application_submit(application=draft, by=draft.created_by)
