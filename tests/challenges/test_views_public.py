"""The public catalogue: home, challenge list and page, programmes and archive."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Ally
from tests.challenges.factories import (
    ChallengeFactory,
    ProgrammeFactory,
    TechnologyAreaFactory,
    published_programme,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
CLOSES = datetime(2026, 7, 11, 12, 0, tzinfo=UTC)  # 3 weeks and 2 hours after NOW


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _open_programme(**fields):
    return published_programme(
        title=fields.pop("title", "DIANA 2026"),
        opens_at=datetime(2026, 6, 2, 9, tzinfo=UTC),
        closes_at=CLOSES,
        review_deadline=datetime(2026, 9, 30, 17, tzinfo=UTC),
        decision_at=datetime(2026, 11, 14, 12, tzinfo=UTC),
        cohort_starts_on=datetime(2027, 1, 11).date(),
        **fields,
    )


# --- Home -------------------------------------------------------------------------------------


def test_home_lists_open_programmes_with_time_left(client, frozen):
    programme = _open_programme(slug="diana-2026")
    ChallengeFactory.create_batch(2, programme=programme)
    ProgrammeFactory(title="Draft call", published=False, opens_at=NOW - timedelta(days=1))
    published_programme(title="Closed call", opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=1))
    published_programme(title="Future call", opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=40))

    response = client.get(reverse("home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert [p.title for p in response.context["open_programmes"]] == ["DIANA 2026"]
    assert "Closes in 3\xa0weeks" in body
    assert "3 challenges are open for applications." in body  # the factory's one plus two
    assert '<time datetime="2026-07-11T12:00:00+00:00" data-local-target="local-diana-2026-close">' in body
    assert "11 July 2026, 12:00 UTC" in body
    for hidden in ("Draft call", "Closed call", "Future call"):
        assert hidden not in body


def test_home_without_open_call_says_so(client):
    response = client.get(reverse("home"))
    assert "No call is open at the moment." in response.content.decode()


# --- Challenge list -----------------------------------------------------------------------------


def test_challenge_list_filters_from_the_query_string(client):
    area = TechnologyAreaFactory(slug="t-quantum", name="T Quantum")
    programme = published_programme(slug="p1")
    ChallengeFactory(programme=programme, title="Quantum sensing", technology_areas=[area], trl_min=2, trl_max=4)
    ChallengeFactory(programme=programme, title="Quantum clocks", technology_areas=[area], trl_min=5, trl_max=7)
    ChallengeFactory(programme=published_programme(slug="p2"), title="Quantum radar", technology_areas=[area])

    response = client.get(
        reverse("challenges:list"), {"q": "quantum", "programme": "p1", "area": "t-quantum", "trl": "3"}
    )

    assert [c.title for c in response.context["page"].object_list] == ["Quantum sensing"]
    assert "1 challenge found." in response.content.decode()


def _archive_and_current():
    current = _open_programme(slug="diana-2026", title="DIANA 2026")
    current.challenges.update(title="Current challenge")
    archive = published_programme(
        slug="diana-2025",
        opens_at=datetime(2025, 6, 2, 9, tzinfo=UTC),
        closes_at=datetime(2025, 7, 11, 12, tzinfo=UTC),
        review_deadline=datetime(2025, 9, 30, tzinfo=UTC),
        decision_at=datetime(2025, 11, 14, tzinfo=UTC),
    )
    archive.challenges.update(title="Archived challenge")
    upcoming = published_programme(
        slug="diana-2027", opens_at=NOW + timedelta(days=30), closes_at=NOW + timedelta(days=72)
    )
    upcoming.challenges.update(title="Upcoming challenge")


def _listed(response) -> list[str]:
    return sorted(challenge.title for challenge in response.context["page"].object_list)


def test_challenge_list_shows_open_and_upcoming_calls_by_default(client, frozen):
    _archive_and_current()
    response = client.get(reverse("challenges:list"))
    assert _listed(response) == ["Current challenge", "Upcoming challenge"]
    assert "Open and upcoming calls only." in response.content.decode()


def test_challenge_list_includes_closed_calls_when_asked(client, frozen):
    _archive_and_current()
    response = client.get(reverse("challenges:list"), {"include_closed": "on"})
    assert _listed(response) == ["Archived challenge", "Current challenge", "Upcoming challenge"]


def test_choosing_a_closed_programme_shows_its_challenges(client, frozen):
    _archive_and_current()
    response = client.get(reverse("challenges:list"), {"programme": "diana-2025"})
    assert _listed(response) == ["Archived challenge"]


def test_challenge_list_closes_a_call_at_its_deadline(client):
    _open_programme()
    with time_machine.travel(CLOSES - timedelta(seconds=1), tick=False):
        assert len(client.get(reverse("challenges:list")).context["page"].object_list) == 1
    with time_machine.travel(CLOSES, tick=False):
        assert len(client.get(reverse("challenges:list")).context["page"].object_list) == 0


def test_challenge_list_ignores_unknown_filter_values(client):
    ChallengeFactory(programme__published=True, title="Visible")
    response = client.get(reverse("challenges:list"), {"programme": "no-such", "trl": "12", "area": "x"})
    assert response.status_code == 200
    assert [c.title for c in response.context["page"].object_list] == ["Visible"]


def test_challenge_list_with_a_search_too_long_says_so_and_shows_nothing(client):
    ChallengeFactory(programme__published=True, title="Visible")

    response = client.get(reverse("challenges:list"), {"q": "drone " * 32 + "   drones"})  # 201 characters

    assert response.status_code == 200
    body = response.content.decode()
    assert "Shorten your search to at most 200 characters (it has 201)." in body
    assert 'aria-invalid="true"' in body
    assert response.context["page"].paginator.count == 0
    assert "Visible" not in body


def test_challenge_list_with_a_search_of_200_characters_runs_it(client):
    ChallengeFactory(programme__published=True, title="Visible", summary="drone " * 10)

    response = client.get(reverse("challenges:list"), {"q": "drone " * 32 + "  drones"})  # 200 characters

    assert "Shorten your search" not in response.content.decode()
    assert [c.title for c in response.context["page"].object_list] == ["Visible"]


def test_challenge_list_does_not_offer_draft_programmes_as_a_filter(client):
    ChallengeFactory(programme=ProgrammeFactory(slug="secret-draft", title="Secret draft"))
    response = client.get(reverse("challenges:list"), {"programme": "secret-draft"})
    body = response.content.decode()
    assert "Secret draft" not in body
    assert response.context["page"].paginator.count == 0


def test_challenge_list_paginates_twelve_per_page_and_keeps_filters(client):
    programme = published_programme(slug="big")
    ChallengeFactory.create_batch(13, programme=programme, title="Drone thing")

    first = client.get(reverse("challenges:list"), {"q": "drone"})
    second = client.get(reverse("challenges:list"), {"q": "drone", "page": "2"})

    assert len(first.context["page"].object_list) == 12
    assert len(second.context["page"].object_list) == 1
    assert 'href="?q=drone&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("item_count", [1, 5])
def test_challenge_list_query_count_is_flat(client, django_assert_num_queries, item_count):
    programme = published_programme()
    programme.challenges.all().delete()
    ChallengeFactory.create_batch(item_count, programme=programme)
    # count, page with programmes, prefetched areas, programme and area choices
    with django_assert_num_queries(5):
        response = client.get(reverse("challenges:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == item_count


@pytest.mark.parametrize("item_count", [1, 5])
def test_challenge_list_with_search_and_filters_query_count_is_flat(client, django_assert_num_queries, item_count):
    programme = published_programme(slug="p")
    area = TechnologyAreaFactory(slug="t-a")
    programme.challenges.all().delete()
    ChallengeFactory.create_batch(item_count, programme=programme, title="Drone", technology_areas=[area])
    # + the programme and area looked up from their slugs
    with django_assert_num_queries(7):
        response = client.get(reverse("challenges:list"), {"q": "drone", "programme": "p", "area": "t-a", "trl": "4"})
    assert len(response.context["page"].object_list) == item_count


@pytest.mark.parametrize("item_count", [1, 5])
def test_home_query_count_is_flat(client, django_assert_num_queries, item_count):
    for _ in range(item_count):
        published_programme()
    with django_assert_num_queries(1):
        response = client.get(reverse("home"))
    assert len(response.context["open_programmes"]) == item_count


@pytest.mark.parametrize("item_count", [1, 5])
def test_programme_list_query_count_is_flat(client, django_assert_num_queries, item_count):
    for index in range(item_count):
        published_programme(opens_at=NOW - timedelta(days=400 + index), closes_at=NOW - timedelta(days=300))
        published_programme()
    with django_assert_num_queries(1):
        response = client.get(reverse("challenges:programme_list"))
    assert len(response.context["current"]) == len(response.context["archive"]) == item_count


@pytest.mark.parametrize("item_count", [1, 5])
def test_programme_page_query_count_is_flat(client, django_assert_num_queries, item_count):
    programme = published_programme()
    ChallengeFactory.create_batch(item_count - 1, programme=programme)
    # programme, its challenges, their areas, criteria, eligible nations
    with django_assert_num_queries(5):
        response = client.get(programme.get_absolute_url())
    assert len(response.context["challenges"]) == item_count


# --- Challenge page -----------------------------------------------------------------------------


def test_challenge_page_shows_statement_and_deadline_in_utc_and_local_time(client, frozen):
    challenge = ChallengeFactory(
        programme=_open_programme(),
        title="Maritime operations",
        problem="Undersea **cables** are exposed.",
        operational_context="- The Baltic.",
        desired_outcomes="- Persistent sensors.",
        constraints="- No harm to marine life.",
        trl_min=4,
        trl_max=7,
    )

    response = client.get(reverse("challenges:detail", args=[challenge.programme.slug, challenge.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Maritime operations</h1>" in body
    assert "Undersea <strong>cables</strong> are exposed." in body
    for heading in ("The problem", "Operational context", "Desired outcomes", "Constraints"):
        assert heading in body
    assert "TRL 4\N{EN DASH}7" in body
    # UTC printed by the server; the local-time target filled by static/js/portal.js.
    assert (
        '<time datetime="2026-07-11T12:00:00+00:00" data-local-target="local-close">'
        "11 July 2026, 12:00 UTC</time>" in body
    )
    assert 'id="local-close"' in body
    assert "3\xa0weeks left" in body


def test_open_challenge_apply_leads_into_the_applications_flow(role_client, frozen):
    challenge = ChallengeFactory(programme=_open_programme())
    start = reverse("applications:start", kwargs={"challenge_id": challenge.pk})

    innovator_body = role_client(Role.INNOVATOR).get(challenge.get_absolute_url()).content.decode()
    anonymous_body = role_client(Role.ANONYMOUS).get(challenge.get_absolute_url()).content.decode()

    assert f'href="{start}">Apply</a>' in innovator_body
    assert f'href="{reverse("account_login")}?next=/applications/new/{challenge.pk}/">Apply</a>' in anonymous_body


def test_closed_challenge_stays_browsable_without_apply(client, frozen):
    archive = published_programme(
        opens_at=datetime(2025, 6, 2, 9, tzinfo=UTC),
        closes_at=datetime(2025, 7, 11, 12, tzinfo=UTC),
        review_deadline=datetime(2025, 9, 30, tzinfo=UTC),
        decision_at=datetime(2025, 11, 14, tzinfo=UTC),
    )
    challenge = archive.challenges.get()

    response = client.get(challenge.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "Applications closed" in body
    assert ">Apply</a>" not in body
    assert "Closed" in body


def test_upcoming_challenge_shows_when_applications_open(client, frozen):
    upcoming = published_programme(opens_at=NOW + timedelta(days=2), closes_at=NOW + timedelta(days=44))
    body = client.get(upcoming.challenges.get().get_absolute_url()).content.decode()
    assert "Applications open" in body
    assert ">Apply</a>" not in body


# --- Programmes and archive ------------------------------------------------------------------------


def test_programme_list_separates_current_and_archive(client, frozen):
    _open_programme(title="DIANA 2026")
    published_programme(
        title="DIANA 2025",
        opens_at=datetime(2025, 6, 2, tzinfo=UTC),
        closes_at=datetime(2025, 7, 11, 12, tzinfo=UTC),
    )
    ProgrammeFactory(title="DIANA 2027 draft")

    response = client.get(reverse("challenges:programme_list"))

    assert [p.title for p in response.context["current"]] == ["DIANA 2026"]
    assert [p.title for p in response.context["archive"]] == ["DIANA 2025"]
    assert "DIANA 2027 draft" not in response.content.decode()


def test_programme_page_shows_challenges_rubric_and_dates(client, frozen):
    programme = _open_programme(title="DIANA 2026")
    programme.criteria.update(name="Defence relevance")
    ChallengeFactory(programme=programme, title="Held back", published=False)

    response = client.get(programme.get_absolute_url())

    body = response.content.decode()
    assert "Defence relevance" in body
    assert "Held back" not in body
    assert "EUR 100,000 per company" in body
    assert "one of 32 eligible nations" in body
    assert 'data-local-target="local-closes"' in body


def test_who_may_apply_lists_the_nations_by_translated_name(client, frozen):
    programme = _open_programme()
    programme.eligible_nations.set(Ally.objects.filter(code__in=["CZ", "DE", "DK", "GB", "TR"]))

    english = " ".join(client.get(programme.get_absolute_url()).content.decode().split())
    french = " ".join(
        client.get(programme.get_absolute_url(), headers={"accept-language": "fr"}).content.decode().split()
    )

    assert "Czechia, Denmark, Germany, Türkiye, United Kingdom</span>" in english
    assert "Allemagne, Danemark, République tchèque, Royaume-Uni, Turquie</span>" in french
