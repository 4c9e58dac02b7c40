"""Every route of the ranking board and the decisions, with the answer each role gets
(DESIGN §4), in the shape tests/test_route_inventory.py collects. Programme managers and
admins only; other signed-in roles get 404 and anonymous visitors the sign-in page, as on
the challenges and applications staff pages."""

import pytest

from accounts.enums import Role
from applications.enums import ApplicationStatus
from applications.models import Application
from reviews.models import Decision
from tests.conftest import ALL_ROLES
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

OK, REDIRECT, BAD_REQUEST, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE_MISSING = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


def staff_answer(status: int) -> dict[Role, int]:
    return {role: status if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


@pytest.fixture
def objects(db):
    programme = rubric_programme(slug="closed-call")
    challenge = challenge_of(programme, slug="energy")
    application = in_review_application(challenge)
    submitted_review(application, reviewer(), [4, 3, 4], comment_for_applicant="Promising.")
    eligible = in_review_application(challenge, status=ApplicationStatus.ELIGIBLE)
    return {"application": application, "eligible": eligible}


ROUTES: dict[str, dict[Role, int]] = {
    "/reviews/staff/ranking/": STAFF_PAGE,
    "/reviews/staff/ranking/closed-call/": STAFF_PAGE,
    "/reviews/staff/ranking/closed-call/reviews.csv": STAFF_PAGE,
    "/reviews/staff/ranking/closed-call/challenges/energy/": STAFF_PAGE,
    "/reviews/staff/ranking/closed-call/challenges/energy/?sort=-mean": STAFF_PAGE,
    "/reviews/staff/ranking/closed-call/challenges/energy/?sort=no-such-column": STAFF_PAGE,
    "/reviews/staff/decisions/{app}/": STAFF_PAGE,
    # Not on the board (never went to review): nothing to decide.
    "/reviews/staff/decisions/{eligible}/": STAFF_PAGE_MISSING,
    "/reviews/staff/decisions/999999/": STAFF_PAGE_MISSING,
    "/reviews/staff/ranking/no-such-call/": STAFF_PAGE_MISSING,
    "/reviews/staff/ranking/no-such-call/reviews.csv": STAFF_PAGE_MISSING,
    "/reviews/staff/ranking/closed-call/challenges/no-such-challenge/": STAFF_PAGE_MISSING,
    # POST only.
    "/reviews/staff/ranking/closed-call/release/": staff_answer(NOT_ALLOWED),
    "/reviews/staff/ranking/closed-call/challenges/energy/decide/": staff_answer(NOT_ALLOWED),
}

# An empty POST: staff get the form again with its errors (400) or, for a release with
# nothing staged, the programme page; nobody changes anything.
POST_ROUTES: dict[str, dict[Role, int]] = {
    "/reviews/staff/decisions/{app}/": staff_answer(BAD_REQUEST),
    "/reviews/staff/ranking/closed-call/challenges/energy/decide/": staff_answer(BAD_REQUEST),
    "/reviews/staff/ranking/closed-call/release/": staff_answer(REDIRECT),
    "/reviews/staff/ranking/no-such-call/release/": STAFF_PAGE_MISSING,
}


def fill(path: str, objects: dict) -> str:
    return path.format(app=objects["application"].pk, eligible=objects["eligible"].pk)


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, path, role):
    response = role_client(role).get(fill(path, objects))

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_post_answers_each_role_and_changes_nothing(role_client, objects, path, role):
    response = role_client(role).post(fill(path, objects), {"outcome": "selected"})

    assert response.status_code == POST_ROUTES[path][role], f"{role} on {path}"
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=objects["application"].pk).status == ApplicationStatus.IN_REVIEW


@pytest.mark.parametrize("role", [role for role in ALL_ROLES if role not in STAFF and role != Role.ANONYMOUS])
def test_a_full_decision_post_by_anyone_but_staff_is_404(role_client, objects, role):
    application = objects["application"]

    response = role_client(role).post(
        f"/reviews/staff/decisions/{application.pk}/", {"outcome": "selected", "rationale": "Mine now."}
    )

    assert response.status_code == NOT_FOUND
    assert not Decision.objects.exists()


def test_every_role_is_declared_for_every_route():
    for answers in [*ROUTES.values(), *POST_ROUTES.values()]:
        assert set(answers) == set(ALL_ROLES)
