"""Throttling, the audit of ministry reads, ETags, the error shape and the statistics."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import ApiRead
from applications.enums import ApplicationStatus
from applications.models import Application
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
    Application.objects.filter(pk=world.pl[0].pk).update(status=ApplicationStatus.ELIGIBLE, updated_at=timezone.now())
    changed = polish.get("/api/v1/applications/", HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"]
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


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
    after = api_clients["ministry DE"].get(path).json()

    assert within_the_minute == first
    assert (first["selected"], after["selected"]) == (1, 2)
    assert after["computed_at"] >= first["computed_at"]
