"""The admin shows the applications app's rows but changes none of them: the portal's
pages and services own every change, with its rules and its audit row."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.enums import MemberRole
from applications.models import Application, Invitation, Membership
from applications.services import invitation_create
from tests.applications.factories import OrganisationFactory, submitted_application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(role_client):
    return role_client(Role.ADMIN)


def test_an_admin_post_cannot_change_a_submitted_application(admin_client):
    application = submitted_application()
    other = OrganisationFactory()
    url = reverse("admin:applications_application_change", args=[application.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url, {"organisation": other.pk, "challenge": application.challenge_id, "title": "Changed by an admin"}
    )

    assert page.status_code == 200  # still there to look at
    assert response.status_code == 403
    application.refresh_from_db()
    assert (application.organisation_id, application.title) != (other.pk, "Changed by an admin")


def test_an_admin_cannot_demote_or_remove_an_owner(admin_client):
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    membership = Membership.objects.get(user=owner)

    change = admin_client.post(
        reverse("admin:applications_membership_change", args=[membership.pk]),
        {"user": owner.pk, "organisation": organisation.pk, "role": MemberRole.MEMBER},
    )
    delete = admin_client.post(reverse("admin:applications_membership_delete", args=[membership.pk]), {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    assert Membership.objects.get(pk=membership.pk).role == MemberRole.OWNER


def test_an_admin_cannot_add_or_revive_an_invitation(admin_client):
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    invitation = invitation_create(organisation=organisation, email="kari@example.org", by=owner)

    add = admin_client.post(
        reverse("admin:applications_invitation_add"),
        {"organisation": organisation.pk, "email": "eve@example.org", "token": "", "invited_by": owner.pk},
    )
    change = admin_client.post(
        reverse("admin:applications_invitation_change", args=[invitation.pk]),
        {"accepted_at_0": "2026-01-01", "accepted_at_1": "00:00:00"},
    )

    assert (add.status_code, change.status_code) == (403, 403)
    assert list(Invitation.objects.values_list("email", "accepted_at")) == [("kari@example.org", None)]


def test_the_application_list_still_searches_for_the_admin(admin_client):
    application = submitted_application()

    response = admin_client.get(reverse("admin:applications_application_changelist"), {"q": application.reference})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [Application.objects.get(pk=application.pk)]
