"""The scoping matrix (DESIGN §4, §9): every endpoint, for anonymous, ministry PL,
ministry DE and staff, with the status and the exact set of ids each receives."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import World

AUDIENCES = ["anonymous", "ministry PL", "ministry DE", "staff"]


def ids(body, key: str) -> set[str]:
    rows = body["results"] if isinstance(body, dict) and "results" in body else [body]
    if isinstance(body, dict) and "results" in body:
        assert body["count"] == len(rows)
    return {str(row[key]) for row in rows}


def expected(world: World) -> list[tuple[str, str | None, dict[str, tuple[int, set[str] | None]]]]:
    """(path, id key, {audience: (status, ids or None)})."""
    p, hidden = world.programme.slug, world.hidden_programme.slug
    pl, de = {a.reference for a in world.pl}, {a.reference for a in world.de}
    public_challenges = {c.slug for c in world.challenges}
    pl_one, de_one = world.pl[0].reference, world.de[0].reference
    unauthorised = (401, None)
    allocation_ids = {nation: {str(a.pk) for a in rows} for nation, rows in world.allocations.items()}
    return [
        ("/api/v1/programmes/", "slug", {a: (200, {p, hidden} if a == "staff" else {p}) for a in AUDIENCES}),
        (f"/api/v1/programmes/{p}/", "slug", dict.fromkeys(AUDIENCES, (200, {p}))),
        (
            f"/api/v1/programmes/{hidden}/",
            "slug",
            {a: (200, {hidden}) if a == "staff" else (404, None) for a in AUDIENCES},
        ),
        (
            f"/api/v1/programmes/{p}/stats/",
            "programme",
            {
                "anonymous": unauthorised,
                "ministry PL": (200, {p}),
                "ministry DE": (200, {p}),
                "staff": (200, {p}),
            },
        ),
        (
            f"/api/v1/programmes/{hidden}/stats/",
            "programme",
            {
                "anonymous": unauthorised,
                "ministry PL": (404, None),
                "ministry DE": (404, None),
                "staff": (200, {hidden}),
            },
        ),
        (
            "/api/v1/challenges/",
            "slug",
            {
                a: (200, public_challenges | {world.hidden_challenge.slug} if a == "staff" else public_challenges)
                for a in AUDIENCES
            },
        ),
        (
            "/api/v1/applications/",
            "reference",
            {
                "anonymous": unauthorised,
                "ministry PL": (200, pl),
                "ministry DE": (200, de),
                "staff": (200, world.references),
            },
        ),
        (
            f"/api/v1/applications/{pl_one}/",
            "reference",
            {
                "anonymous": unauthorised,
                "ministry PL": (200, {pl_one}),
                "ministry DE": (404, None),
                "staff": (200, {pl_one}),
            },
        ),
        (
            f"/api/v1/applications/{de_one}/",
            "reference",
            {
                "anonymous": unauthorised,
                "ministry PL": (404, None),
                "ministry DE": (200, {de_one}),
                "staff": (200, {de_one}),
            },
        ),
        (
            f"/api/v1/applications/{world.other[0].reference}/",
            "reference",
            {
                "anonymous": unauthorised,
                "ministry PL": (404, None),
                "ministry DE": (404, None),
                "staff": (200, {world.other[0].reference}),
            },
        ),
        (
            "/api/v1/applications/DIANA-2026-99999/",
            None,
            {
                "anonymous": unauthorised,
                "ministry PL": (404, None),
                "ministry DE": (404, None),
                "staff": (404, None),
            },
        ),
        ("/api/v1/sites/", "slug", dict.fromkeys(AUDIENCES, (200, {site.slug for site in world.sites}))),
        ("/api/v1/sites/?kind=test_centre&nation=pl", "slug", dict.fromkeys(AUDIENCES, (200, {"gdansk-test"}))),
        ("/api/v1/sites/?area=quantum", "slug", dict.fromkeys(AUDIENCES, (200, {"tehnopol"}))),
        ("/api/v1/sites/?nation=DE", "slug", dict.fromkeys(AUDIENCES, (200, set()))),
        (
            f"/api/v1/cohorts/{world.cohort.pk}/allocations/",
            "id",
            {
                "anonymous": unauthorised,
                "ministry PL": (200, allocation_ids["PL"]),
                "ministry DE": (200, allocation_ids["DE"]),
                "staff": (200, allocation_ids["PL"] | allocation_ids["DE"] | allocation_ids["NO"]),
            },
        ),
        (
            f"/api/v1/cohorts/{world.cohort.pk}/allocations/?status=offered",
            "id",
            {
                "anonymous": unauthorised,
                "ministry PL": (200, {str(world.allocations["PL"][0].pk)}),
                "ministry DE": (200, set()),
                "staff": (200, {str(world.allocations["PL"][0].pk)}),
            },
        ),
        (
            f"/api/v1/cohorts/{world.cohort.pk + 1000}/allocations/",
            None,
            {
                "anonymous": unauthorised,
                "ministry PL": (404, None),
                "ministry DE": (404, None),
                "staff": (404, None),
            },
        ),
    ]


PATH_COUNT = 18


@pytest.mark.parametrize("index", range(PATH_COUNT))
@pytest.mark.parametrize("audience", AUDIENCES)
def test_endpoint_answers_each_audience_with_its_scope(world, api_clients, index, audience):
    path, key, answers = expected(world)[index]
    status, wanted = answers[audience]

    response = api_clients[audience].get(path)

    assert response.status_code == status, f"{audience} on {path}: {response.content[:300]!r}"
    body = response.json()
    if wanted is None:
        assert set(body) == {"error", "detail"}
        assert body["error"] == ("not_authenticated" if status == 401 else "not_found")
    else:
        assert ids(body, key) == wanted


def test_matrix_covers_every_endpoint_of_the_schema(world):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    templates = {
        "/api/v1/programmes/{slug}/": re.compile(r"^/api/v1/programmes/[\w-]+/$"),
        "/api/v1/programmes/{slug}/stats/": re.compile(r"^/api/v1/programmes/[\w-]+/stats/$"),
        "/api/v1/applications/{reference}/": re.compile(r"^/api/v1/applications/[\w-]+/$"),
        "/api/v1/sites/": re.compile(r"^/api/v1/sites/(\?.*)?$"),
        "/api/v1/cohorts/{id}/allocations/": re.compile(r"^/api/v1/cohorts/\d+/allocations/(\?.*)?$"),
    }

    covered = {
        next((template for template, pattern in templates.items() if pattern.match(path)), path)
        for path, _key, _answers in expected(world)
    }

    assert covered == set(schema["paths"])


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(world, api_clients, audience, method):
    client = api_clients[audience]
    reference = world.pl[0].reference

    public = getattr(client, method)("/api/v1/programmes/", data={}, content_type="application/json")
    private = getattr(client, method)(f"/api/v1/applications/{reference}/", data={}, content_type="application/json")

    assert public.status_code == 405
    assert public.json()["error"] == "method_not_allowed"
    assert private.status_code == (401 if audience == "anonymous" else 405)


def test_drafts_never_appear(world, api_clients):
    response = api_clients["staff"].get("/api/v1/applications/?page_size=200")

    assert world.draft.pk not in {row.get("id") for row in response.json()["results"]}
    assert response.json()["count"] == len(world.references)
