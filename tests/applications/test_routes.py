"""Every route of the applications app, with the answer each role gets (DESIGN §4).

The objects belong to an organisation none of the role users is in: so every
page about them answers 404, whoever asks (anonymous and the reviewer included),
except the staff pages and downloads for programme managers. The owner's own
answers are in the second table.
"""

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.models import Invitation
from applications.services import invitation_create
from tests.applications.factories import ApplicationFactory, OrganisationFactory, attach_pitch_deck
from tests.conftest import ALL_ROLES
from tests.factories import UserFactory

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405

ALL_404 = dict.fromkeys(ALL_ROLES, NOT_FOUND)
SIGNED_IN_OK = {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES}
STAFF_ONLY = {role: OK if role in {Role.PROGRAMME_MANAGER, Role.ADMIN} else NOT_FOUND for role in ALL_ROLES}


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


ROUTES: dict[str, tuple[Callable[[dict], str], dict[Role, int]]] = {
    "list": (lambda o: reverse("applications:list"), SIGNED_IN_OK),
    "choose challenge": (lambda o: reverse("applications:choose_challenge"), SIGNED_IN_OK),
    "start": (
        lambda o: reverse("applications:start", args=[o["programme"].slug, o["challenge"].slug]),
        SIGNED_IN_OK,
    ),
    "detail": (lambda o: reverse("applications:detail", args=[o["application"].pk]), ALL_404),
    "section": (lambda o: reverse("applications:section", args=[o["application"].pk, "team"]), ALL_404),
    # POST only; a GET is refused before anything is looked up.
    "autosave": (
        lambda o: reverse("applications:autosave", args=[o["application"].pk, "team"]),
        {role: NOT_FOUND if role == Role.ANONYMOUS else NOT_ALLOWED for role in ALL_ROLES},
    ),
    "attachments": (lambda o: reverse("applications:attachments", args=[o["application"].pk]), ALL_404),
    "download": (
        lambda o: reverse("applications:attachment_download", args=[o["application"].pk, o["attachment"].pk]),
        STAFF_ONLY,
    ),
    "submit": (lambda o: reverse("applications:submit", args=[o["application"].pk]), ALL_404),
    "confirmation": (lambda o: reverse("applications:confirmation", args=[o["application"].pk]), ALL_404),
    "withdraw": (lambda o: reverse("applications:withdraw", args=[o["application"].pk]), ALL_404),
    "organisations": (lambda o: reverse("applications:organisation_list"), SIGNED_IN_OK),
    "organisation create": (lambda o: reverse("applications:organisation_create"), SIGNED_IN_OK),
    "organisation detail": (
        lambda o: reverse("applications:organisation_detail", args=[o["organisation"].pk]),
        ALL_404,
    ),
    "organisation edit": (lambda o: reverse("applications:organisation_edit", args=[o["organisation"].pk]), ALL_404),
    # Whoever holds the link sees the invitation; accepting it needs the invited address.
    "invitation": (lambda o: reverse("applications:invitation_accept", args=[o["invitation"].token]), SIGNED_IN_OK),
    "unknown invitation": (
        lambda o: reverse("applications:invitation_accept", args=["no-such-token"]),
        {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES},
    ),
    "staff index": (lambda o: reverse("applications:staff_index"), STAFF_ONLY),
    "staff list": (lambda o: reverse("applications:staff_list", args=[o["programme"].slug]), STAFF_ONLY),
    "staff export": (lambda o: reverse("applications:staff_export", args=[o["programme"].slug]), STAFF_ONLY),
    "staff detail": (lambda o: reverse("applications:staff_detail", args=[o["application"].pk]), STAFF_ONLY),
    "staff override": (
        lambda o: reverse("applications:staff_override", args=[o["application"].pk]),
        {role: NOT_ALLOWED if role in {Role.PROGRAMME_MANAGER, Role.ADMIN} else NOT_FOUND for role in ALL_ROLES},
    ),
}

# POST-only actions: what a non-member's POST gets.
POSTS: dict[str, tuple[Callable[[dict], str], dict[Role, int]]] = {
    "section save": (lambda o: reverse("applications:section", args=[o["application"].pk, "team"]), ALL_404),
    "autosave": (lambda o: reverse("applications:autosave", args=[o["application"].pk, "team"]), ALL_404),
    "upload": (lambda o: reverse("applications:attachments", args=[o["application"].pk]), ALL_404),
    "delete attachment": (
        lambda o: reverse("applications:attachment_delete", args=[o["application"].pk, o["attachment"].pk]),
        ALL_404,
    ),
    "submit": (lambda o: reverse("applications:submit", args=[o["application"].pk]), ALL_404),
    "withdraw": (lambda o: reverse("applications:withdraw", args=[o["application"].pk]), ALL_404),
    "invite": (lambda o: reverse("applications:organisation_invite", args=[o["organisation"].pk]), ALL_404),
    "remove member": (
        lambda o: reverse(
            "applications:membership_remove", args=[o["organisation"].pk, o["organisation"].memberships.get().pk]
        ),
        ALL_404,
    ),
    "revoke invitation": (
        lambda o: reverse("applications:invitation_revoke", args=[o["organisation"].pk, o["invitation"].pk]),
        ALL_404,
    ),
}


@pytest.mark.parametrize(("route", "role"), [(route, role) for route in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, route, role):
    build, answers = ROUTES[route]

    response = role_client(role).get(build(objects))

    assert response.status_code == answers[role], f"{role} on {route}"


@pytest.mark.parametrize(("action", "role"), [(action, role) for action in POSTS for role in ALL_ROLES])
def test_post_by_a_non_member_answers_404_and_changes_nothing(role_client, objects, action, role):
    build, answers = POSTS[action]
    before = (objects["application"].status, Invitation.objects.count(), objects["organisation"].memberships.count())

    response = role_client(role).post(build(objects), {"team": "x", "version": "0", "email": "x@example.org"})

    assert response.status_code == answers[role], f"{role} on {action}"
    objects["application"].refresh_from_db()
    after = (objects["application"].status, Invitation.objects.count(), objects["organisation"].memberships.count())
    assert after == before
    assert objects["application"].team != "x"


def test_every_role_is_declared_for_every_route():
    for answers in [*(a for _, a in ROUTES.values()), *(a for _, a in POSTS.values())]:
        assert set(answers) == set(ALL_ROLES)


def test_anonymous_visitors_are_sent_to_sign_in_from_the_apply_button(client, objects):
    start = reverse("applications:start", args=[objects["programme"].slug, objects["challenge"].slug])

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


@pytest.mark.parametrize("page", OWNER_PAGES)
def test_owner_reaches_their_own_pages(client, objects, page):
    client.force_login(objects["owner"])

    assert client.get(OWNER_PAGES[page](objects)).status_code == OK


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
