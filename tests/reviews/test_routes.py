"""Every route of the reviews app, with the answer each role gets (DESIGN §4).

The role users of `role_client` are strangers to the objects: the reviewer is not
assigned, so every page about an assignment answers 404 to every role. Staff pages
answer programme managers and admins. The second part checks the people who do have
a relationship: the assigned, the conflicted and the unassigned reviewer, the applicant
and staff, on every reviewer page.
"""

import pytest

from accounts.enums import Role
from reviews import services
from reviews.enums import AssignmentStatus, RunState
from reviews.models import Assignment, AssignmentRun
from tests.applications.factories import add_member
from tests.conftest import ALL_ROLES
from tests.factories import UserFactory
from tests.reviews.factories import (
    assign,
    challenge_in,
    eligible_application,
    make_reviewer,
    programme_with_rubric,
    staff,
)

OK, REDIRECT, BAD_REQUEST, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}

ALL_404 = dict.fromkeys(ALL_ROLES, NOT_FOUND)
SIGNED_IN_OK = {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES}
SIGNED_IN_404 = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
REVIEWER_PAGE = {role: OK if role == Role.REVIEWER else NOT_FOUND for role in ALL_ROLES}
INBOX = {role: OK if role == Role.REVIEWER else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_POST_ONLY = {
    role: NOT_ALLOWED if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
}


def staff_answers(status: int) -> dict[Role, int]:
    return {role: status if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


@pytest.fixture
def objects(db, private_media):
    programme = programme_with_rubric()
    application = eligible_application(challenge=challenge_in(programme, "autonomy"), with_pitch_deck=True)
    attachment = application.attachments.get()
    reviewer = make_reviewer("autonomy", email="assigned@review.example")
    manager = staff()
    assignment = assign(application, reviewer, status=AssignmentStatus.ACCEPTED, by=manager)
    invitation = services.invitation_create(email="invitee@review.example", by=manager)
    run = AssignmentRun.objects.create(programme=programme, created_by=manager)  # queued: never applied here
    return {
        "programme": programme,
        "application": application,
        "attachment": attachment,
        "reviewer": reviewer,
        "assignment": assignment,
        "invitation": invitation,
        "run": run,
        "manager": manager,
    }


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    return settings.PRIVATE_MEDIA_ROOT


ROUTES: dict[str, dict[Role, int]] = {
    "/reviews/": INBOX,
    "/reviews/profile/": REVIEWER_PAGE,
    "/reviews/assignments/{assignment}/": ALL_404,
    "/reviews/assignments/999999/": ALL_404,
    "/reviews/assignments/{assignment}/attachments/{attachment}/": ALL_404,
    # Whoever holds the link sees the invitation; accepting needs the invited address.
    "/reviews/invitations/{token}/": SIGNED_IN_OK,
    "/reviews/invitations/no-such-token/": SIGNED_IN_404,
    "/reviews/staff/reviewers/": STAFF_PAGE,
    "/reviews/staff/reviewers/?q=assigned": STAFF_PAGE,
    "/reviews/staff/reviewers/{reviewer}/": STAFF_PAGE,
    "/reviews/staff/reviewers/999999/": staff_answers(NOT_FOUND),
    "/reviews/staff/reviewers/invite/": STAFF_POST_ONLY,
    "/reviews/staff/invitations/{invitation}/revoke/": STAFF_POST_ONLY,
    "/reviews/staff/reviewers/{reviewer}/active/": STAFF_POST_ONLY,
    "/reviews/staff/reviewers/{reviewer}/conflicts/": STAFF_POST_ONLY,
    "/reviews/staff/programmes/": STAFF_PAGE,
    "/reviews/staff/programmes/{programme}/": STAFF_PAGE,
    "/reviews/staff/programmes/no-such-programme/": staff_answers(NOT_FOUND),
    "/reviews/staff/programmes/{programme}/add/": STAFF_POST_ONLY,
    "/reviews/staff/programmes/{programme}/assignments/": STAFF_PAGE,
    "/reviews/staff/programmes/{programme}/assignments/?status=accepted": STAFF_PAGE,
    "/reviews/staff/assignments/{assignment}/": STAFF_PAGE,
    "/reviews/staff/assignments/{assignment}/extend/": STAFF_POST_ONLY,
    "/reviews/staff/assignments/{assignment}/withdraw/": STAFF_POST_ONLY,
    "/reviews/staff/runs/{run}/": STAFF_PAGE,
    "/reviews/staff/runs/{run}/progress/": STAFF_PAGE,
    "/reviews/staff/runs/999999/": staff_answers(NOT_FOUND),
    "/reviews/staff/runs/{run}/edit/": STAFF_POST_ONLY,
    "/reviews/staff/runs/{run}/apply/": STAFF_POST_ONLY,
    "/reviews/staff/runs/{run}/discard/": STAFF_POST_ONLY,
}

# An empty POST: refused without a change for everyone but staff, who get the form's
# answer (a redirect with a message, or the form again with its errors).
POST_ROUTES: dict[str, dict[Role, int]] = {
    "/reviews/assignments/{assignment}/": ALL_404,
    "/reviews/profile/": {role: BAD_REQUEST if role == Role.REVIEWER else NOT_FOUND for role in ALL_ROLES},
    "/reviews/staff/reviewers/invite/": staff_answers(BAD_REQUEST),
    "/reviews/staff/invitations/{invitation}/revoke/": staff_answers(REDIRECT),
    "/reviews/staff/reviewers/{reviewer}/": staff_answers(BAD_REQUEST),
    "/reviews/staff/reviewers/{reviewer}/active/": staff_answers(BAD_REQUEST),
    "/reviews/staff/reviewers/{reviewer}/conflicts/": staff_answers(BAD_REQUEST),
    # The fixture's run is still queued: a second one is refused.
    "/reviews/staff/programmes/{programme}/": staff_answers(409),
    "/reviews/staff/programmes/{programme}/add/": staff_answers(REDIRECT),
    "/reviews/staff/assignments/{assignment}/extend/": staff_answers(BAD_REQUEST),
    "/reviews/staff/assignments/{assignment}/withdraw/": staff_answers(BAD_REQUEST),
    "/reviews/staff/runs/{run}/edit/": staff_answers(REDIRECT),
    "/reviews/staff/runs/{run}/apply/": staff_answers(REDIRECT),
    "/reviews/staff/runs/{run}/discard/": staff_answers(REDIRECT),
}


def fill(path: str, o: dict) -> str:
    return path.format(
        assignment=o["assignment"].pk,
        attachment=o["attachment"].pk,
        token=o["invitation"].token,
        invitation=o["invitation"].pk,
        reviewer=o["reviewer"].pk,
        programme=o["programme"].slug,
        run=o["run"].pk,
    )


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, path, role):
    response = role_client(role).get(fill(path, objects))

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


def _state(o: dict) -> tuple:
    assignment = Assignment.objects.get(pk=o["assignment"].pk)
    run = AssignmentRun.objects.get(pk=o["run"].pk)
    o["invitation"].refresh_from_db()
    profile = o["reviewer"].reviewer_profile
    profile.refresh_from_db()
    return (
        assignment.status,
        assignment.deadline_extended_to,
        run.state,
        o["invitation"].revoked_at,
        profile.is_active,
        profile.max_load,
        Assignment.objects.count(),
    )


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_an_empty_post_changes_nothing(role_client, objects, path, role):
    before = _state(objects)

    response = role_client(role).post(fill(path, objects), {})

    assert response.status_code == POST_ROUTES[path][role], f"{role} on {path}"
    # An empty POST of the invitation revoke by staff revokes it: that is its whole form.
    if not (role in STAFF and path.endswith("/revoke/")):
        assert _state(objects) == before


def test_every_role_is_declared_for_every_route():
    for answers in [*ROUTES.values(), *POST_ROUTES.values()]:
        assert set(answers) == set(ALL_ROLES)


# --- The people with a relationship to the application ----------------------------------------------

REVIEWER_PAGES = {
    "assignment": lambda o: f"/reviews/assignments/{o['assignment'].pk}/",
    "download": lambda o: f"/reviews/assignments/{o['assignment'].pk}/attachments/{o['attachment'].pk}/",
}
PEOPLE_ANSWERS = {
    "assigned": {"assignment": OK, "download": OK},
    "conflicted": {"assignment": NOT_FOUND, "download": NOT_FOUND},
    "unassigned": {"assignment": NOT_FOUND, "download": NOT_FOUND},
    "applicant": {"assignment": NOT_FOUND, "download": NOT_FOUND},
    "staff": {"assignment": NOT_FOUND, "download": NOT_FOUND},
}


def _person(kind: str, o: dict):
    if kind == "assigned":
        return o["reviewer"]
    if kind == "conflicted":
        # Conflicted after acceptance: staff record it; the reviewer sees nothing more.
        services.conflict_declare_by_staff(
            reviewer=o["reviewer"], application=o["application"], reason="Board member.", by=o["manager"]
        )
        return o["reviewer"]
    if kind == "unassigned":
        return make_reviewer("autonomy")
    if kind == "applicant":
        return add_member(o["application"].organisation, UserFactory())
    return o["manager"]


@pytest.mark.parametrize(("kind", "which"), [(kind, which) for kind in PEOPLE_ANSWERS for which in REVIEWER_PAGES])
def test_reviewer_pages_answer_each_person_as_declared(client, objects, kind, which):
    client.force_login(_person(kind, objects))

    response = client.get(REVIEWER_PAGES[which](objects))

    assert response.status_code == PEOPLE_ANSWERS[kind][which]


def test_an_assignment_not_yet_answered_shows_title_challenge_and_organisation_only(client, objects):
    application = eligible_application(challenge=objects["application"].challenge, with_pitch_deck=True)
    attachment = application.attachments.get()
    reviewer = make_reviewer("autonomy")
    assignment = assign(application, reviewer, by=objects["manager"])
    client.force_login(reviewer)

    page = client.get(f"/reviews/assignments/{assignment.pk}/").content.decode()
    download = client.get(f"/reviews/assignments/{assignment.pk}/attachments/{attachment.pk}/")

    assert application.title in page
    assert application.organisation.name in page
    assert application.challenge.title in page
    assert application.solution not in page
    assert application.team not in page
    assert download.status_code == NOT_FOUND


def test_an_unsafe_attachment_is_not_offered_to_the_reviewer(client, objects):
    attachment = objects["attachment"]
    attachment.unsafe_findings = ["/JavaScript"]
    attachment.save(update_fields=["unsafe_findings"])
    client.force_login(objects["reviewer"])

    page = client.get(f"/reviews/assignments/{objects['assignment'].pk}/").content.decode()
    download = client.get(f"/reviews/assignments/{objects['assignment'].pk}/attachments/{attachment.pk}/")

    assert attachment.original_name not in page
    assert download.status_code == NOT_FOUND


def test_a_withdrawn_assignment_answers_404_to_its_reviewer(client, objects):
    services.assignment_withdraw(assignment=objects["assignment"], reason="Reassigned.", by=objects["manager"])
    client.force_login(objects["reviewer"])

    assert client.get(f"/reviews/assignments/{objects['assignment'].pk}/").status_code == NOT_FOUND


def test_a_run_in_progress_is_never_applied_by_a_post(role_client, objects):
    role_client(Role.PROGRAMME_MANAGER).post(f"/reviews/staff/runs/{objects['run'].pk}/apply/")

    assert AssignmentRun.objects.get(pk=objects["run"].pk).state == RunState.QUEUED
