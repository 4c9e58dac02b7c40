"""Every route of the applications app, with the answer each role gets (DESIGN §4).

The objects belong to an organisation none of the role users is in: so every
page about them answers 404, whoever asks (anonymous and the reviewer included),
except the staff pages and downloads for programme managers. The owner's own
answers are in the second table.
"""

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.models import Invitation
from applications.services import invitation_create
from tests.applications.factories import ApplicationFactory, OrganisationFactory, attach_pitch_deck
from tests.conftest import ALL_ROLES
from tests.factories import UserFactory

OK, REDIRECT, BAD_REQUEST, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 403, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}

ALL_404 = dict.fromkeys(ALL_ROLES, NOT_FOUND)
SIGNED_IN_OK = {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES}
# Downloads: programme managers may read any attachment; everyone else outside the organisation gets 404.
STAFF_ONLY = {role: OK if role in STAFF else NOT_FOUND for role in ALL_ROLES}
# Staff pages, as in the challenges app: anonymous visitors are sent to sign in, other roles get 404.
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE_MISSING = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


@pytest.fixture
def objects(db):
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    application = ApplicationFactory(organisation=organisation, created_by=owner)
    attachment = attach_pitch_deck(application)
    invitation = invitation_create(organisation=organisation, email="invitee@example.org", by=owner)
    return {
        "owner": owner,
        "organisation": organisation,
        "application": application,
        "attachment": attachment,
        "invitation": invitation,
        "programme": application.programme,
        "challenge": application.challenge,
    }


# Paths hold placeholders ({app}, {org}...) filled with the fixture's ids; the route
# inventory (tests/test_route_inventory.py) reads these tables.
ROUTES: dict[str, dict[Role, int]] = {
    "/applications/": SIGNED_IN_OK,
    "/applications/new/": SIGNED_IN_OK,
    "/applications/new/{challenge}/": SIGNED_IN_OK,
    "/applications/new/999999/": {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES},
    "/applications/{app}/": ALL_404,
    "/applications/{app}/sections/team/": ALL_404,
    # POST only; a GET is refused before anything is looked up.
    "/applications/{app}/sections/team/autosave/": {
        role: NOT_FOUND if role == Role.ANONYMOUS else NOT_ALLOWED for role in ALL_ROLES
    },
    "/applications/{app}/attachments/": ALL_404,
    "/applications/{app}/attachments/{attachment}/": STAFF_ONLY,
    "/applications/{app}/submit/": ALL_404,
    "/applications/{app}/confirmation/": ALL_404,
    "/applications/{app}/withdraw/": ALL_404,
    "/applications/organisations/": SIGNED_IN_OK,
    "/applications/organisations/new/": SIGNED_IN_OK,
    "/applications/organisations/{org}/": ALL_404,
    "/applications/organisations/{org}/edit/": ALL_404,
    # Whoever holds the link sees the invitation; accepting it needs the invited address.
    "/applications/invitations/{token}/": SIGNED_IN_OK,
    "/applications/invitations/no-such-token/": {
        role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
    "/applications/staff/": STAFF_PAGE,
    "/applications/staff/programmes/{programme}/": STAFF_PAGE,
    "/applications/staff/programmes/{programme}/?status=eligible&nation=NO&trl=5&q=DIANA": STAFF_PAGE,
    "/applications/staff/programmes/{programme}/export.csv": STAFF_PAGE,
    "/applications/staff/programmes/no-such-programme/": STAFF_PAGE_MISSING,
    "/applications/staff/applications/{app}/": STAFF_PAGE,
    "/applications/staff/applications/999999/": STAFF_PAGE_MISSING,
    # POST only: a GET is refused once the permission check has passed.
    "/applications/staff/applications/{app}/eligibility/": {
        role: NOT_ALLOWED if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
}

# What a POST by someone outside the organisation gets (nothing changes: checked below).
POST_ROUTES: dict[str, dict[Role, int]] = {
    "/applications/{app}/sections/team/": ALL_404,
    "/applications/{app}/sections/team/autosave/": ALL_404,
    "/applications/{app}/attachments/": ALL_404,
    "/applications/{app}/attachments/{attachment}/delete/": ALL_404,
    "/applications/{app}/submit/": ALL_404,
    "/applications/{app}/withdraw/": ALL_404,
    "/applications/organisations/{org}/invite/": ALL_404,
    "/applications/organisations/{org}/members/{membership}/remove/": ALL_404,
    "/applications/organisations/{org}/invitations/{invitation}/revoke/": ALL_404,
    "/applications/organisations/{org}/edit/": ALL_404,
    # The test posts no decision: staff see the form again with its errors.
    "/applications/staff/applications/{app}/eligibility/": {
        role: BAD_REQUEST if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
}


def fill(path: str, o: dict) -> str:
    return path.format(
        app=o["application"].pk,
        attachment=o["attachment"].pk,
        org=o["organisation"].pk,
        membership=o["organisation"].memberships.get().pk,
        invitation=o["invitation"].pk,
        token=o["invitation"].token,
        programme=o["programme"].slug,
        challenge=o["challenge"].pk,
    )


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, path, role):
    response = role_client(role).get(fill(path, objects))

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_post_by_a_non_member_is_refused_and_changes_nothing(role_client, objects, path, role):
    application, organisation = objects["application"], objects["organisation"]
    before = (application.status, application.eligibility, Invitation.objects.count(), organisation.memberships.count())

    response = role_client(role).post(
        fill(path, objects), {"team": "x", "version": "0", "email": "x@example.org", "name": "Hijacked"}
    )

    assert response.status_code == POST_ROUTES[path][role], f"{role} on {path}"
    application.refresh_from_db()
    organisation.refresh_from_db()
    after = (application.status, application.eligibility, Invitation.objects.count(), organisation.memberships.count())
    assert after == before
    assert (application.team, organisation.name) != ("x", "Hijacked")


def test_every_role_is_declared_for_every_route():
    for answers in [*ROUTES.values(), *POST_ROUTES.values()]:
        assert set(answers) == set(ALL_ROLES)


def test_anonymous_visitors_are_sent_to_sign_in_from_the_apply_button(client, objects):
    start = reverse("applications:start", args=[objects["challenge"].pk])

    response = client.get(start)

    assert response["Location"] == f"{reverse('account_login')}?next={start}"


# --- The owner's own pages -----------------------------------------------------------------------------

OWNER_PAGES = {
    "detail": lambda o: reverse("applications:detail", args=[o["application"].pk]),
    "section": lambda o: reverse("applications:section", args=[o["application"].pk, "team"]),
    "attachments": lambda o: reverse("applications:attachments", args=[o["application"].pk]),
    "download": lambda o: reverse("applications:attachment_download", args=[o["application"].pk, o["attachment"].pk]),
    "submit": lambda o: reverse("applications:submit", args=[o["application"].pk]),
    "withdraw": lambda o: reverse("applications:withdraw", args=[o["application"].pk]),
    "organisation detail": lambda o: reverse("applications:organisation_detail", args=[o["organisation"].pk]),
    "organisation edit": lambda o: reverse("applications:organisation_edit", args=[o["organisation"].pk]),
}


@pytest.mark.parametrize("owner_page", OWNER_PAGES)
def test_owner_reaches_their_own_pages(client, objects, owner_page):
    client.force_login(objects["owner"])

    assert client.get(OWNER_PAGES[owner_page](objects)).status_code == OK


def test_a_member_sees_the_organisation_but_may_not_edit_it(client, objects):
    from tests.applications.factories import add_member

    member = add_member(objects["organisation"])
    client.force_login(member)

    assert client.get(OWNER_PAGES["organisation detail"](objects)).status_code == OK
    assert client.get(OWNER_PAGES["organisation edit"](objects)).status_code == FORBIDDEN
    assert client.get(OWNER_PAGES["section"](objects)).status_code == OK


def test_unknown_section_answers_404(client, objects):
    client.force_login(objects["owner"])

    response = client.get(reverse("applications:section", args=[objects["application"].pk, "secrets"]))

    assert response.status_code == NOT_FOUND


def test_nonexistent_application_answers_404_like_a_foreign_one(client, objects):
    client.force_login(objects["owner"])

    assert client.get(reverse("applications:detail", args=[999_999])).status_code == NOT_FOUND
