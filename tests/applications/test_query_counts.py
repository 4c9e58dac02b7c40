"""Every list page runs the same number of queries for 1 row as for 5 (no N+1)."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.services import (
    application_override_eligibility,
    application_submit,
    attachment_upload,
    invitation_create,
)
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    add_member,
    attach_pitch_deck,
    pdf_upload,
    submitted_application,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 5]

# Queries every signed-in page makes: session, user, the navigation's role groups, the unread-messages badge.
BASE = 4
# Staff pages add the second-factor check of the MFA middleware.
STAFF_BASE = BASE + 1


@pytest.mark.parametrize("rows", ROWS)
def test_my_applications_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.INNOVATOR)
    for _ in range(rows):
        organisation = OrganisationFactory(owner=client.user)
        ApplicationFactory(organisation=organisation)

    with django_assert_num_queries(BASE + 2):  # the applications, has-an-organisation
        response = client.get(reverse("applications:list"))

    assert len(response.context["applications"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_organisation_list_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.INNOVATOR)
    for _ in range(rows):
        organisation = OrganisationFactory(owner=client.user)
        add_member(organisation)
        ApplicationFactory(organisation=organisation)

    with django_assert_num_queries(BASE + 1):
        response = client.get(reverse("applications:organisation_list"))

    assert [o.member_count for o in response.context["organisations"]] == [2] * rows


@pytest.mark.parametrize("rows", ROWS)
def test_organisation_detail_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.INNOVATOR)
    organisation = OrganisationFactory(owner=client.user)
    for _ in range(rows):
        add_member(organisation)
        ApplicationFactory(organisation=organisation)
        invitation_create(organisation=organisation, email=f"invitee{_}@example.org", by=client.user)

    # organisation, membership role, members, invitations, applications
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("applications:organisation_detail", args=[organisation.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_challenge_choice_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.INNOVATOR)
    for challenge in ChallengeFactory.create_batch(rows):
        submitted_application(organisation=OrganisationFactory(owner=client.user), challenge=challenge)

    # challenges, the user's applications that count against each programme's limit
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("applications:choose_challenge"))

    assert len(response.context["challenges"]) == rows
    assert sum(len(reached) for _p, _c, reached in response.context["programmes"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_staff_index_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.PROGRAMME_MANAGER)
    for _ in range(rows):
        ApplicationFactory(challenge=ChallengeFactory(programme=ProgrammeFactory()))

    with django_assert_num_queries(STAFF_BASE + 1):
        response = client.get(reverse("applications:staff_index"))

    assert len(response.context["programmes"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_staff_list_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory()
    for _ in range(rows):
        submitted_application(challenge=ChallengeFactory(programme=programme))

    # programme, the filter's challenges, the Allies for the nation filter, count, page of applications
    with django_assert_num_queries(STAFF_BASE + 5):
        response = client.get(reverse("applications:staff_list", args=[programme.slug]), {"status": "eligible"})

    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_staff_export_query_count_is_flat(role_client, django_assert_num_queries, rows):
    client = role_client(Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory()
    for _ in range(rows):
        submitted_application(challenge=ChallengeFactory(programme=programme))

    # A file, not a page: no navigation badge. Session, user, role groups, second factor;
    # then the programme and the rows in one streamed query.
    with django_assert_num_queries(STAFF_BASE - 1 + 2):
        response = client.get(reverse("applications:staff_export", args=[programme.slug]))
        lines = b"".join(response.streaming_content).decode().splitlines()

    assert len(lines) == rows + 1


@pytest.mark.parametrize("rows", ROWS)
def test_application_detail_query_count_is_flat(role_client, django_assert_num_queries, rows):
    """Not a list page, but its timeline and attachments are lists."""
    client = role_client(Role.INNOVATOR)
    application = submitted_application(organisation=OrganisationFactory(owner=client.user))
    for index in range(rows - 1):
        application_override_eligibility(
            application=application, eligible=index % 2 == 1, reason="toggle", by=client.user
        )

    with django_assert_num_queries(BASE + 3):  # application, its attachments, the timeline
        response = client.get(reverse("applications:detail", args=[application.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_staff_detail_query_count_is_flat(role_client, django_assert_num_queries, rows):
    """Its audit trail, members and attachments are lists."""
    client = role_client(Role.PROGRAMME_MANAGER)
    application = ApplicationFactory()
    attach_pitch_deck(application)
    if rows > 1:  # at most one file of each kind
        upload = pdf_upload("annex.pdf")
        attachment_upload(
            application=application, kind="technical_annex", file=upload, name=upload.name, by=client.user
        )
    application = application_submit(application=application, by=application.created_by)
    for _ in range(rows):
        add_member(application.organisation)
    for index in range(rows - 1):
        application_override_eligibility(
            application=application, eligible=index % 2 == 1, reason="toggle", by=client.user
        )

    # the application, its files with their uploaders, the audit trail, the members
    with django_assert_num_queries(STAFF_BASE + 4):
        response = client.get(reverse("applications:staff_detail", args=[application.pk]))

    assert response.status_code == 200
    assert len(response.context["members"]) == rows
