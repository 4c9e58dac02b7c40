"""Staff pages, driven as a programme manager would: forms in, pages out."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Ally, AuditEvent
from challenges.models import Challenge, Programme
from tests.applications.factories import ApplicationFactory
from tests.challenges.factories import (
    ChallengeFactory,
    CriterionFactory,
    ProgrammeFactory,
    TechnologyAreaFactory,
    publishable_programme,
    published_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(role_client):
    return role_client(Role.PROGRAMME_MANAGER)


def _programme_data(**overrides):
    data = {
        "year": "2027",
        "title": "DIANA 2027",
        "slug": "diana-2027",
        "description": "The **2027** call.",
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
    }
    return data | overrides


def _challenge_data(**overrides):
    area = TechnologyAreaFactory()
    data = {
        "title": "Maritime operations",
        "slug": "maritime-operations",
        "summary": "Protect the seabed.",
        "problem": "Cables are **exposed**.",
        "operational_context": "- Baltic",
        "desired_outcomes": "- Sensors",
        "constraints": "- Law",
        "trl_min": "4",
        "trl_max": "7",
        "expected_awards": "6",
        "order": "1",
        "published": "on",
        "technology_areas": [str(area.pk)],
    }
    return data | overrides


def test_create_programme_from_the_form(manager):
    response = manager.post(reverse("challenges:staff_programme_create"), _programme_data())

    programme = Programme.objects.get(slug="diana-2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("challenges:staff_programme_detail", kwargs={"slug": "diana-2027"})
    assert programme.published is False
    assert programme.opens_at == datetime(2027, 6, 1, 9, tzinfo=UTC)  # the form's times are UTC
    assert programme.closes_at == datetime(2027, 7, 12, 12, tzinfo=UTC)
    assert programme.eligible_nations.count() == 32
    assert AuditEvent.objects.filter(action="programme.create", actor=manager.user).count() == 1


def test_new_programme_form_starts_with_all_allies_ticked(manager):
    form = manager.get(reverse("challenges:staff_programme_create")).context["form"]
    assert len(form.initial["eligible_nations"]) == 32


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closes_at": "2027-06-01T09:00"}, "closes_at", "The call must close after it opens."),
        (
            {"review_deadline": "2027-07-12T12:00"},
            "review_deadline",
            "The review deadline must come after the call closes.",
        ),
        (
            {"decision_at": "2027-09-30T17:00"},
            "decision_at",
            "Decisions must be announced after the review deadline.",
        ),
        (
            {"cohort_starts_on": "2027-11-14"},
            "cohort_starts_on",
            "The cohort cannot start before decisions are announced.",
        ),
    ],
)
def test_programme_form_rejects_dates_at_the_edge(manager, overrides, field, message):
    response = manager.post(reverse("challenges:staff_programme_create"), _programme_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not Programme.objects.filter(slug="diana-2027").exists()


def test_programme_form_accepts_dates_one_minute_apart(manager):
    response = manager.post(
        reverse("challenges:staff_programme_create"),
        _programme_data(
            opens_at="2027-06-01T09:00",
            closes_at="2027-06-01T09:01",
            review_deadline="2027-06-01T09:02",
            decision_at="2027-06-01T09:03",
            cohort_starts_on="2027-06-01",
        ),
    )
    assert response.status_code == 302


def test_programme_preview_renders_without_saving(manager):
    response = manager.post(
        reverse("challenges:staff_programme_create"),
        _programme_data(_preview="1", description="**Bold** call"),
    )
    assert response.status_code == 200
    assert "<strong>Bold</strong> call" in response.content.decode()
    assert not Programme.objects.exists()


def test_edit_programme(manager):
    programme = ProgrammeFactory(slug="diana-2027")
    response = manager.post(
        reverse("challenges:staff_programme_edit", kwargs={"slug": "diana-2027"}),
        _programme_data(title="Renamed", eligible_nations=[str(Ally.objects.get(code="EE").pk)]),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title == "Renamed"
    assert [str(a.code) for a in programme.eligible_nations.all()] == ["EE"]


def test_edit_published_programme_that_would_break_rules_shows_the_problems(manager):
    programme = published_programme(slug="live")
    response = manager.post(
        reverse("challenges:staff_programme_edit", kwargs={"slug": "live"}),
        _programme_data(slug="live", eligible_nations=[]),
    )
    assert response.status_code == 200
    assert "No nation is eligible to apply." in response.content.decode()
    assert programme.eligible_nations.count() == 32


def test_publish_lists_every_problem_on_the_page(manager):
    programme = ProgrammeFactory(slug="incomplete")
    ChallengeFactory(programme=programme, title="Space", trl_min=None, trl_max=None, technology_areas=[])

    response = manager.post(reverse("challenges:staff_programme_publish", kwargs={"slug": "incomplete"}))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["refused"] is True
    assert response.context["problems"] == [
        "Challenge “Space” has no technology area.",
        "Challenge “Space” has no TRL range.",
        "The rubric has no criterion.",
    ]
    assert "Not published. Fix these problems first:" in body
    assert body.count("<li>Challenge “Space”") == 2
    programme.refresh_from_db()
    assert programme.published is False


def test_programme_page_shows_problems_before_publishing(manager):
    ProgrammeFactory(slug="empty")
    response = manager.get(reverse("challenges:staff_programme_detail", kwargs={"slug": "empty"}))
    assert response.context["problems"] == [
        "The programme has no published challenge.",
        "The rubric has no criterion.",
    ]
    assert "Before this programme can be published:" in response.content.decode()


def test_publish_and_unpublish_from_the_pages(manager, client):
    programme = publishable_programme(slug="ready")
    public_url = programme.get_absolute_url()
    assert client.get(public_url).status_code == 404

    published = manager.post(reverse("challenges:staff_programme_publish", kwargs={"slug": "ready"}), follow=True)
    assert "Programme published" in published.content.decode()
    assert client.get(public_url).status_code == 200

    manager.post(reverse("challenges:staff_programme_unpublish", kwargs={"slug": "ready"}), {"reason": "Typo in dates"})
    assert client.get(public_url).status_code == 404
    assert AuditEvent.objects.get(action="programme.unpublish").reason == "Typo in dates"


def test_clone_from_the_page(manager):
    source = published_programme(year=2025, slug="diana-2025", title="DIANA 2025 Challenge Programme")

    form = manager.get(reverse("challenges:staff_programme_clone")).context["form"]
    assert form.initial == {
        "source": source,
        "year": 2026,
        "title": "DIANA 2026 Challenge Programme",
        "slug": "diana-2026",
    }

    response = manager.post(
        reverse("challenges:staff_programme_clone"),
        {"source": source.pk, "year": 2026, "title": "DIANA 2026 Challenge Programme", "slug": "diana-2026"},
    )

    clone = Programme.objects.get(slug="diana-2026")
    assert response["Location"] == reverse("challenges:staff_programme_detail", kwargs={"slug": "diana-2026"})
    assert (clone.published, clone.challenges.count(), clone.criteria.count()) == (False, 1, 1)


def test_clone_refuses_a_slug_in_use(manager):
    source = published_programme(slug="diana-2025")
    response = manager.post(
        reverse("challenges:staff_programme_clone"),
        {"source": source.pk, "year": 2026, "title": "x", "slug": "diana-2025"},
    )
    assert response.context["form"].errors == {"slug": ["A programme with this slug already exists."]}


def test_add_challenge_from_the_form(manager):
    programme = ProgrammeFactory(slug="p")
    response = manager.post(reverse("challenges:staff_challenge_create", kwargs={"slug": "p"}), _challenge_data())
    assert response.status_code == 302
    challenge = programme.challenges.get(slug="maritime-operations")
    assert (challenge.trl_min, challenge.trl_max, challenge.technology_areas.count()) == (4, 7, 1)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"trl_min": "7", "trl_max": "4"}, {"trl_max": ["The highest TRL cannot be below the lowest."]}),
        ({"trl_min": "4", "trl_max": ""}, {"trl_max": ["Give both ends of the TRL range."]}),
        (
            {"trl_min": "10", "trl_max": "10"},
            {
                "trl_min": ["Ensure this value is less than or equal to 9."],
                "trl_max": ["Ensure this value is less than or equal to 9."],
            },
        ),
        ({"slug": "taken"}, {"slug": ["This programme already has a challenge with this slug."]}),
    ],
)
def test_challenge_form_validation(manager, overrides, errors):
    programme = ProgrammeFactory(slug="p")
    ChallengeFactory(programme=programme, slug="taken")
    response = manager.post(
        reverse("challenges:staff_challenge_create", kwargs={"slug": "p"}), _challenge_data(**overrides)
    )
    assert response.context["form"].errors == errors


def test_challenge_preview_and_edit(manager):
    challenge = ChallengeFactory(programme__slug="p", slug="c", title="Old")
    url = reverse("challenges:staff_challenge_edit", kwargs={"slug": "p", "challenge_slug": "c"})

    preview = manager.post(url, _challenge_data(slug="c", _preview="1", desired_outcomes="- **Faster** decisions"))
    assert "<strong>Faster</strong> decisions" in preview.content.decode()
    challenge.refresh_from_db()
    assert challenge.title == "Old"

    manager.post(url, _challenge_data(slug="c", title="New"))
    challenge.refresh_from_db()
    assert challenge.title == "New"


def test_delete_challenge(manager):
    ChallengeFactory(programme__slug="p", slug="c")
    url = reverse("challenges:staff_challenge_delete", kwargs={"slug": "p", "challenge_slug": "c"})
    assert manager.get(url).status_code == 200
    manager.post(url)
    assert not Challenge.objects.filter(slug="c").exists()


def _rubric_data(rows, initial=0):
    data = {
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"criteria-{index}-{key}"] = value
    return data


def _row(**fields):
    return {
        "name": "",
        "description": "",
        "weight": "1",
        "scale_min": "0",
        "scale_max": "5",
        "threshold": "",
        "order": "1",
    } | fields


def test_rubric_formset_adds_edits_and_deletes(manager):
    programme = ProgrammeFactory(slug="p")
    keep = CriterionFactory(programme=programme, name="Impact", order=1)
    drop = CriterionFactory(programme=programme, name="Old", order=2)

    response = manager.post(
        reverse("challenges:staff_rubric_edit", kwargs={"slug": "p"}),
        _rubric_data(
            [
                _row(id=str(keep.pk), programme=str(programme.pk), name="Impact", weight="0.6", threshold="3"),
                _row(id=str(drop.pk), programme=str(programme.pk), name="Old", DELETE="on"),
                _row(name="Team", weight="0.4", order="2"),
            ],
            initial=2,
        ),
    )

    assert response.status_code == 302
    assert list(programme.criteria.values_list("name", "weight", "threshold")) == [
        ("Impact", Decimal("0.60"), Decimal("3.0")),
        ("Team", Decimal("0.40"), None),
    ]


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (_row(name="A", weight="-1"), {"weight": ["Ensure this value is greater than or equal to 0."]}),
        (
            _row(name="A", scale_min="5", scale_max="5"),
            {"scale_max": ["The highest score must be above the lowest."]},
        ),
        (_row(name="A", threshold="6"), {"threshold": ["The threshold must lie on the scale."]}),
    ],
)
def test_rubric_formset_validation(manager, row, errors):
    ProgrammeFactory(slug="p")
    response = manager.post(reverse("challenges:staff_rubric_edit", kwargs={"slug": "p"}), _rubric_data([row]))
    assert response.context["formset"].errors == [errors]


def test_rubric_formset_rejects_duplicate_names(manager):
    ProgrammeFactory(slug="p")
    response = manager.post(
        reverse("challenges:staff_rubric_edit", kwargs={"slug": "p"}),
        _rubric_data([_row(name="Impact"), _row(name="impact")]),
    )
    assert response.context["formset"].non_form_errors() == ["Two criteria have the same name."]


def test_rubric_with_zero_weight_on_a_published_programme_is_refused_on_the_page(manager):
    programme = published_programme(slug="live")
    criterion = programme.criteria.get()
    response = manager.post(
        reverse("challenges:staff_rubric_edit", kwargs={"slug": "live"}),
        _rubric_data(
            [_row(id=str(criterion.pk), programme=str(programme.pk), name=criterion.name, weight="0")],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert f"Criterion “{criterion.name}” must have a weight above zero." in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 5])
def test_staff_programme_list_query_count_is_flat(manager, django_assert_num_queries, item_count):
    for _ in range(item_count):
        publishable_programme()
    # session, user, groups, TOTP check (middleware); programmes with counts; latest programme;
    # the unread-messages badge
    with django_assert_num_queries(7):
        response = manager.get(reverse("challenges:staff_programme_list"))
    assert len(response.context["programmes"]) == item_count


@pytest.mark.parametrize("item_count", [1, 5])
def test_staff_programme_page_query_count_is_flat(manager, django_assert_num_queries, item_count):
    programme = publishable_programme(slug="p")
    ChallengeFactory.create_batch(item_count - 1, programme=programme)
    CriterionFactory.create_batch(item_count - 1, programme=programme)
    for challenge in programme.challenges.all():
        ApplicationFactory.create_batch(2, challenge=challenge)  # counted in the challenges' query
    # middleware 4; programme; challenges and areas; criteria; 3 for the publish check; audit trail;
    # the unread-messages badge
    with django_assert_num_queries(13):
        response = manager.get(reverse("challenges:staff_programme_detail", kwargs={"slug": "p"}))
    assert len(response.context["challenges"]) == item_count


# --- Deleting a challenge that has applications -----------------------------------------------------


@pytest.fixture
def applied_to():
    """A programme with one challenge that has two applications and one that has none."""
    programme = publishable_programme(slug="p")
    taken = programme.challenges.get()
    ApplicationFactory.create_batch(2, challenge=taken)
    free = ChallengeFactory(programme=programme, title="Nobody applied", slug="free")
    return programme, taken, free


def test_staff_programme_page_offers_delete_only_without_applications(manager, applied_to):
    _programme, taken, free = applied_to

    body = manager.get(reverse("challenges:staff_programme_detail", kwargs={"slug": "p"})).content.decode()

    delete = "challenges:staff_challenge_delete"
    assert reverse(delete, kwargs={"slug": "p", "challenge_slug": free.slug}) in body
    assert reverse(delete, kwargs={"slug": "p", "challenge_slug": taken.slug}) not in body
    assert " ".join(body.split()).count("2 applications — cannot be deleted") == 1


def test_delete_page_says_how_many_applications_block_it(manager, applied_to):
    _programme, taken, _free = applied_to

    response = manager.get(
        reverse("challenges:staff_challenge_delete", kwargs={"slug": "p", "challenge_slug": taken.slug})
    )

    body = " ".join(response.content.decode().split())
    assert f"“{taken.title}” cannot be deleted: 2 applications (drafts included) are addressed to it." in body
    assert '<button type="submit" class="btn btn-danger">' not in body


def test_delete_page_of_a_challenge_without_applications_offers_delete(manager, applied_to):
    _programme, _taken, free = applied_to

    response = manager.get(
        reverse("challenges:staff_challenge_delete", kwargs={"slug": "p", "challenge_slug": free.slug})
    )

    body = " ".join(response.content.decode().split())
    assert "Nobody has applied to this challenge. Deleting it cannot be undone." in body
    assert '<button type="submit" class="btn btn-danger">Delete</button>' in body


def test_deleting_a_challenge_with_applications_is_refused_with_a_message(manager, applied_to):
    _programme, taken, _free = applied_to

    response = manager.post(
        reverse("challenges:staff_challenge_delete", kwargs={"slug": "p", "challenge_slug": taken.slug}), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"Challenge “{taken.title}” already has applications and cannot be deleted; unpublish it instead."
    ]
    assert Challenge.objects.filter(pk=taken.pk).exists()
    assert not AuditEvent.objects.filter(action="challenge.delete").exists()
