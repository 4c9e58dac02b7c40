"""The Django admin cannot change programmes, challenges or rubrics behind the
services' back: no 500 from a constraint, no change without its audit row. They
are edited on the staff pages; the admin shows them and links there."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import AuditEvent
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from tests.challenges.factories import ChallengeFactory, TechnologyAreaFactory, published_programme

pytestmark = pytest.mark.django_db

FORBIDDEN = 403


@pytest.fixture
def admin_client(role_client):
    return role_client(Role.ADMIN)


@pytest.fixture
def programme():
    return published_programme(slug="live")


def _snapshot(programme: Programme):
    challenge = programme.challenges.get()
    criterion = programme.criteria.get()
    return (
        Programme.objects.filter(pk=programme.pk).values().get(),
        Challenge.objects.filter(pk=challenge.pk).values().get(),
        Criterion.objects.filter(pk=criterion.pk).values().get(),
        sorted(programme.eligible_nations.values_list("code", flat=True)),
        sorted(challenge.technology_areas.values_list("slug", flat=True)),
        Programme.objects.count(),
        Challenge.objects.count(),
        Criterion.objects.count(),
    )


def _attempts(programme: Programme):
    """(url, data) for every admin write a published programme could suffer."""
    challenge = programme.challenges.get()
    criterion = programme.criteria.get()
    dates_out_of_order = {
        "year": programme.year,
        "title": programme.title,
        "slug": programme.slug,
        "opens_at_0": "2026-06-02",
        "opens_at_1": "00:00:00",
        "closes_at_0": "2026-05-01",  # before it opens
        "closes_at_1": "12:00:00",
        "review_deadline_0": "2026-09-01",
        "review_deadline_1": "00:00:00",
        "decision_at_0": "2026-10-01",
        "decision_at_1": "00:00:00",
        "cohort_starts_on": "2026-11-01",
        "phase1_grant_eur": 100000,
        "phase2_grant_eur": 300000,
        "reviewers_per_application": 3,
        "applications_per_organisation": 1,
    }
    cleared_statement = {
        "programme": programme.pk,
        "slug": challenge.slug,
        "title": challenge.title,
        "problem": "",
        "trl_min": "",
        "trl_max": "",
        "expected_awards": 10,
        "order": 1,
        "published": "on",
    }
    zero_weight = {
        "programme": programme.pk,
        "name": criterion.name,
        "weight": "0",
        "scale_min": 0,
        "scale_max": 5,
        "order": 1,
    }
    bulk_delete = {"action": "delete_selected", "_selected_action": [programme.pk], "post": "yes"}
    return {
        "programme dates out of order": (
            reverse("admin:challenges_programme_change", args=[programme.pk]),
            dates_out_of_order,
        ),
        "programme added": (reverse("admin:challenges_programme_add"), {**dates_out_of_order, "slug": "new-one"}),
        "programme deleted": (reverse("admin:challenges_programme_delete", args=[programme.pk]), {"post": "yes"}),
        "statement and TRL cleared": (
            reverse("admin:challenges_challenge_change", args=[challenge.pk]),
            cleared_statement,
        ),
        "challenge added": (reverse("admin:challenges_challenge_add"), {**cleared_statement, "slug": "new-one"}),
        "challenge deleted": (reverse("admin:challenges_challenge_delete", args=[challenge.pk]), {"post": "yes"}),
        "zero weight": (reverse("admin:challenges_criterion_change", args=[criterion.pk]), zero_weight),
        "criterion added": (reverse("admin:challenges_criterion_add"), {**zero_weight, "name": "New"}),
        "criterion deleted": (reverse("admin:challenges_criterion_delete", args=[criterion.pk]), {"post": "yes"}),
    }, (reverse("admin:challenges_programme_changelist"), bulk_delete)


ATTEMPTS = [
    "programme dates out of order",
    "programme added",
    "programme deleted",
    "statement and TRL cleared",
    "challenge added",
    "challenge deleted",
    "zero weight",
    "criterion added",
    "criterion deleted",
]


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_admin_write_to_a_published_programme_is_forbidden_and_changes_nothing(admin_client, programme, attempt):
    url, data = _attempts(programme)[0][attempt]
    before = _snapshot(programme)

    response = admin_client.post(url, data)

    assert response.status_code == FORBIDDEN
    assert _snapshot(programme) == before
    assert not AuditEvent.objects.exists()


def test_admin_offers_no_bulk_delete_of_programmes(admin_client, programme):
    url, data = _attempts(programme)[1]
    before = _snapshot(programme)

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the list again: the action is not on offer
    assert _snapshot(programme) == before
    assert "delete_selected" not in admin_client.get(url).content.decode()


def test_admin_shows_programme_parts_read_only_with_a_link_to_the_staff_page(admin_client, programme):
    challenge = programme.challenges.get()
    criterion = programme.criteria.get()
    pages = {
        reverse("admin:challenges_programme_change", args=[programme.pk]): reverse(
            "challenges:staff_programme_detail", kwargs={"slug": "live"}
        ),
        reverse("admin:challenges_challenge_change", args=[challenge.pk]): reverse(
            "challenges:staff_challenge_edit", kwargs={"slug": "live", "challenge_slug": challenge.slug}
        ),
        reverse("admin:challenges_criterion_change", args=[criterion.pk]): reverse(
            "challenges:staff_rubric_edit", kwargs={"slug": "live"}
        ),
    }
    for admin_page, staff_page in pages.items():
        response = admin_client.get(admin_page)

        assert response.status_code == 200, admin_page
        body = response.content.decode()
        assert f'href="{staff_page}"' in body
        assert 'name="_save"' not in body


def test_admin_cannot_delete_an_area_a_challenge_uses(admin_client, programme):
    used = programme.challenges.get().technology_areas.get()

    response = admin_client.post(reverse("admin:challenges_technologyarea_delete", args=[used.pk]), {"post": "yes"})

    assert response.status_code == FORBIDDEN
    assert TechnologyArea.objects.filter(pk=used.pk).exists()


def test_admin_may_delete_an_unused_area(admin_client):
    unused = TechnologyAreaFactory()

    response = admin_client.post(reverse("admin:challenges_technologyarea_delete", args=[unused.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not TechnologyArea.objects.filter(pk=unused.pk).exists()


def test_admin_may_rename_an_area(admin_client, programme):
    area = ChallengeFactory(programme=programme, published=False).technology_areas.get()

    response = admin_client.post(
        reverse("admin:challenges_technologyarea_change", args=[area.pk]),
        {"name": "Quantum sensing", "slug": area.slug, "description": "", "order": 3},
    )

    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "Quantum sensing"
