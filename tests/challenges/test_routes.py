"""Every route of challenges, with the answer each role gets (DESIGN §4), in the
shape tests/test_route_inventory.py collects. Unpublished content and staff pages
answer 404 to everyone but programme managers and admins; anonymous visitors are
sent to sign in for staff pages. Every POST, per role, is in test_post_routes.py."""

import pytest

from accounts.enums import Role
from tests.challenges.factories import ChallengeFactory, publishable_programme, published_programme
from tests.conftest import ALL_ROLES

OK, REDIRECT, NOT_FOUND, NOT_ALLOWED = 200, 302, 404, 405
EVERYONE_OK = dict.fromkeys(ALL_ROLES, OK)
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}
STAFF_ONLY_CONTENT = {role: OK if role in STAFF else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE_MISSING = {role: NOT_FOUND if role != Role.ANONYMOUS else REDIRECT for role in ALL_ROLES}

ROUTES: dict[str, dict[Role, int]] = {
    # Public catalogue
    "/challenges/": EVERYONE_OK,
    "/challenges/?q=drone&programme=published&area=t-area&trl=4": EVERYONE_OK,
    "/challenges/published/public-challenge/": EVERYONE_OK,
    "/programmes/": EVERYONE_OK,
    "/programmes/published/": EVERYONE_OK,
    # Unpublished: a draft programme, its challenge, a held-back challenge
    "/programmes/draft/": STAFF_ONLY_CONTENT,
    "/challenges/draft/draft-challenge/": STAFF_ONLY_CONTENT,
    "/challenges/published/held-back/": STAFF_ONLY_CONTENT,
    "/challenges/published/no-such-challenge/": dict.fromkeys(ALL_ROLES, NOT_FOUND),
    "/programmes/no-such-programme/": dict.fromkeys(ALL_ROLES, NOT_FOUND),
    # Staff pages
    "/staff/programmes/": STAFF_PAGE,
    "/staff/programmes/new/": STAFF_PAGE,
    "/staff/programmes/clone/": STAFF_PAGE,
    "/staff/programmes/clone/?source=published": STAFF_PAGE,
    "/staff/programmes/draft/": STAFF_PAGE,
    "/staff/programmes/published/": STAFF_PAGE,
    "/staff/programmes/draft/edit/": STAFF_PAGE,
    "/staff/programmes/published/unpublish/": STAFF_PAGE,
    "/staff/programmes/draft/rubric/": STAFF_PAGE,
    "/staff/programmes/draft/challenges/new/": STAFF_PAGE,
    "/staff/programmes/draft/challenges/draft-challenge/edit/": STAFF_PAGE,
    "/staff/programmes/draft/challenges/draft-challenge/delete/": STAFF_PAGE,
    "/staff/programmes/no-such-programme/": STAFF_PAGE_MISSING,
    "/staff/programmes/draft/challenges/no-such-challenge/edit/": STAFF_PAGE_MISSING,
    # POST only: a GET is refused once the permission check has passed.
    "/staff/programmes/draft/publish/": {
        role: NOT_ALLOWED if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
}


@pytest.fixture
def catalogue(db):
    from tests.challenges.factories import TechnologyAreaFactory

    area = TechnologyAreaFactory(slug="t-area")
    published = published_programme(slug="published")
    ChallengeFactory(programme=published, slug="public-challenge", title="Drone", technology_areas=[area])
    ChallengeFactory(programme=published, slug="held-back", published=False)
    draft = publishable_programme(slug="draft")
    ChallengeFactory(programme=draft, slug="draft-challenge")


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, catalogue, path, role):
    response = role_client(role).get(path)

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


def test_every_role_is_declared_for_every_route():
    for path, answers in ROUTES.items():
        assert set(answers) == set(ALL_ROLES), path
