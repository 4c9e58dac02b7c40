"""Every POST to a challenges staff page, for every role (DESIGN §4): programme
managers and admins change what they posted; anonymous visitors are sent to sign
in, every other role gets 404, and for them nothing in the database changes.

Each POST carries valid data, so the same request that changes nothing for a
refused role does change something for staff: the check below would notice a
permission that let a write through."""

import pytest
from django.db.models import Model

from accounts.enums import Role
from accounts.models import Ally, AuditEvent
from challenges.forms import RubricFormSet
from challenges.models import Challenge, Criterion, Programme
from tests.challenges.factories import (
    TechnologyAreaFactory,
    publishable_programme,
    published_programme,
)
from tests.conftest import ALL_ROLES

pytestmark = pytest.mark.django_db

REDIRECT, NOT_FOUND = 302, 404
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}
STAFF_WRITE = {role: REDIRECT if role in STAFF or role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}

POST_ROUTES: dict[str, dict[Role, int]] = {
    "/staff/programmes/new/": STAFF_WRITE,
    "/staff/programmes/clone/": STAFF_WRITE,
    "/staff/programmes/draft/edit/": STAFF_WRITE,
    "/staff/programmes/draft/publish/": STAFF_WRITE,
    "/staff/programmes/published/unpublish/": STAFF_WRITE,
    "/staff/programmes/draft/rubric/": STAFF_WRITE,
    "/staff/programmes/draft/challenges/new/": STAFF_WRITE,
    "/staff/programmes/draft/challenges/draft-challenge/edit/": STAFF_WRITE,
    "/staff/programmes/draft/challenges/draft-challenge/delete/": STAFF_WRITE,
}


@pytest.fixture
def objects():
    published = published_programme(slug="published")
    draft = publishable_programme(slug="draft")
    draft.challenges.update(slug="draft-challenge")
    return {"published": published, "draft": draft, "area": TechnologyAreaFactory()}


def _programme_data(**overrides) -> dict:
    return {
        "year": "2027",
        "title": "Posted programme",
        "slug": "posted",
        "description": "Posted.",
        "opens_at": "2027-06-01T09:00",
        "closes_at": "2027-07-12T12:00",
        "review_deadline": "2027-09-30T17:00",
        "decision_at": "2027-11-15T12:00",
        "cohort_starts_on": "2028-01-10",
        "phase1_grant_eur": "100000",
        "phase2_grant_eur": "300000",
        "reviewers_per_application": "3",
        "applications_per_organisation": "1",
        "eligible_nations": [str(pk) for pk in Ally.objects.values_list("pk", flat=True)],
    } | overrides


def _challenge_data(objects, **overrides) -> dict:
    return {
        "title": "Posted challenge",
        "slug": "posted-challenge",
        "summary": "Posted.",
        "problem": "A problem.",
        "operational_context": "- Somewhere.",
        "desired_outcomes": "- Something.",
        "constraints": "- Some limits.",
        "trl_min": "4",
        "trl_max": "7",
        "expected_awards": "6",
        "order": "1",
        "published": "on",
        "technology_areas": [str(objects["area"].pk)],
    } | overrides


def _rubric_data(objects) -> dict:
    criterion = objects["draft"].criteria.get()
    prefix = RubricFormSet.get_default_prefix()
    row = {
        "id": criterion.pk,
        "programme": objects["draft"].pk,
        "name": "Posted criterion",
        "description": "",
        "weight": "2",
        "scale_min": "0",
        "scale_max": "5",
        "threshold": "",
        "order": "1",
    }
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        **{f"{prefix}-0-{key}": str(value) for key, value in row.items()},
    }


POST_DATA = {
    "/staff/programmes/new/": lambda o: _programme_data(),
    "/staff/programmes/clone/": lambda o: {
        "source": str(o["published"].pk),
        "year": "2031",
        "title": "Cloned",
        "slug": "cloned",
    },
    "/staff/programmes/draft/edit/": lambda o: _programme_data(title="Edited", slug="draft"),
    "/staff/programmes/draft/publish/": lambda o: {},
    "/staff/programmes/published/unpublish/": lambda o: {"reason": "Posted"},
    "/staff/programmes/draft/rubric/": _rubric_data,
    "/staff/programmes/draft/challenges/new/": _challenge_data,
    "/staff/programmes/draft/challenges/draft-challenge/edit/": lambda o: _challenge_data(
        o, slug="draft-challenge", title="Edited challenge"
    ),
    "/staff/programmes/draft/challenges/draft-challenge/delete/": lambda o: {},
}


def _rows(model: type[Model]) -> list[dict]:
    return list(model._default_manager.order_by("pk").values())


def _database_state() -> tuple:
    """Everything a challenges staff page can write, and the audit trail."""
    return (
        _rows(Programme),
        _rows(Programme.eligible_nations.through),
        _rows(Challenge),
        _rows(Challenge.technology_areas.through),
        _rows(Criterion),
        _rows(AuditEvent),
    )


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_post_answers_each_role_as_declared_and_only_staff_change_anything(role_client, objects, path, role):
    client = role_client(role)
    before = _database_state()

    response = client.post(path, POST_DATA[path](objects))

    assert response.status_code == POST_ROUTES[path][role], f"{role} POST {path}"
    changed = _database_state() != before
    assert changed is (role in STAFF), f"{role} POST {path}: changed={changed}"
    if role == Role.ANONYMOUS:
        assert response["Location"].startswith("/accounts/login/")


def test_every_role_is_declared_for_every_post_route():
    assert set(POST_DATA) == set(POST_ROUTES)
    for path, answers in POST_ROUTES.items():
        assert set(answers) == set(ALL_ROLES), path
