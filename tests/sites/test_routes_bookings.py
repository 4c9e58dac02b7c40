"""Every route of test-centre bookings and Phase 2, with the answer each role gets (DESIGN §4).

The booking belongs to a team none of the role users is in, at a test centre none of
them manages: so its pages answer 404 to everyone, the site manager of another
centre included. Programme managers (and admins, who hold every permission) see the
staff overview and the Phase 2 page. The owners' own answers are in test_bookings_views.py.
"""

import pytest

from accounts.enums import Role
from sites import bookings
from sites.enums import BookingStatus
from sites.models import Booking, CohortTeam
from tests.conftest import ALL_ROLES
from tests.factories import make_user
from tests.sites.bookings_factories import make_cohort, make_site, make_team, next_monday

OK, REDIRECT, BAD_REQUEST, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}
ALL_404 = dict.fromkeys(ALL_ROLES, NOT_FOUND)
SIGNED_IN_OK = {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES}
SIGNED_IN_404 = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
# Site managers' pages: the admin holds every permission, so it passes the role check too.
MANAGERS_PAGE = {
    role: OK if role in {Role.SITE_MANAGER, Role.ADMIN} else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND
    for role in ALL_ROLES
}
MANAGERS_404 = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


@pytest.fixture
def objects(db):
    owner = make_user(Role.INNOVATOR)
    manager = make_user(Role.SITE_MANAGER)
    cohort = make_cohort()
    team = make_team(cohort=cohort, member=owner)
    centre = make_site(managers=[manager])
    booking = bookings.booking_request(
        team=team, centre=centre, first_day=next_monday(2), last_day=next_monday(2), purpose="EMC test", by=owner
    )
    return {"team": team, "booking": booking, "cohort": cohort}


ROUTES: dict[str, dict[Role, int]] = {
    "/sites/bookings/": SIGNED_IN_OK,
    "/sites/bookings/request/{team}/": SIGNED_IN_404,
    "/sites/bookings/request/999999/": SIGNED_IN_404,
    # POST only: a GET by a signed-in user is refused before anything is looked up.
    "/sites/bookings/{booking}/cancel/": {
        role: REDIRECT if role == Role.ANONYMOUS else NOT_ALLOWED for role in ALL_ROLES
    },
    "/sites/bookings/inbox/": MANAGERS_PAGE,
    "/sites/bookings/inbox/{booking}/": MANAGERS_404,
    "/sites/bookings/inbox/999999/": MANAGERS_404,
    "/sites/bookings/inbox/{booking}/approve/": {
        role: NOT_ALLOWED
        if role in {Role.SITE_MANAGER, Role.ADMIN}
        else REDIRECT
        if role == Role.ANONYMOUS
        else NOT_FOUND
        for role in ALL_ROLES
    },
    "/sites/bookings/inbox/{booking}/decline/": {
        role: NOT_ALLOWED
        if role in {Role.SITE_MANAGER, Role.ADMIN}
        else REDIRECT
        if role == Role.ANONYMOUS
        else NOT_FOUND
        for role in ALL_ROLES
    },
    "/sites/bookings/staff/": STAFF_PAGE,
    "/sites/bookings/staff/?status=requested&page=2": STAFF_PAGE,
    "/sites/bookings/staff/?status=no-such-status": STAFF_PAGE,
    "/sites/cohorts/{cohort}/phase2/": STAFF_PAGE,
    "/sites/cohorts/999999/phase2/": {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES},
    "/sites/cohorts/{cohort}/phase2/{team}/": {
        role: NOT_ALLOWED if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
}

# What a POST by someone outside the team and the centre gets (nothing changes: checked below).
POST_ROUTES: dict[str, dict[Role, int]] = {
    "/sites/bookings/request/{team}/": SIGNED_IN_404,
    "/sites/bookings/{booking}/cancel/": SIGNED_IN_404,
    "/sites/bookings/inbox/{booking}/approve/": MANAGERS_404,
    "/sites/bookings/inbox/{booking}/decline/": MANAGERS_404,
    # Staff may mark: the test posts no change (phase2 missing means "not selected").
    "/sites/cohorts/{cohort}/phase2/{team}/": dict.fromkeys(ALL_ROLES, REDIRECT)
    | {role: NOT_FOUND for role in ALL_ROLES if role not in STAFF and role != Role.ANONYMOUS},
}


def fill(path: str, o: dict) -> str:
    return path.format(team=o["team"].pk, booking=o["booking"].pk, cohort=o["cohort"].pk)


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, path, role):
    response = role_client(role).get(fill(path, objects))

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_post_by_an_outsider_is_refused_and_changes_nothing(role_client, objects, path, role):
    response = role_client(role).post(
        fill(path, objects),
        {"reason": "No.", "centre": objects["booking"].centre_id, "first_day": "2030-01-07", "purpose": "x"},
    )

    assert response.status_code == POST_ROUTES[path][role], f"{role} on {path}"
    assert list(Booking.objects.values_list("status", flat=True)) == [BookingStatus.REQUESTED]
    assert CohortTeam.objects.filter(phase2=True).count() == 0


def test_every_role_is_declared_for_every_route():
    for answers in [*ROUTES.values(), *POST_ROUTES.values()]:
        assert set(answers) == set(ALL_ROLES)
