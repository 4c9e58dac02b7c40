"""Every list endpoint and the statistics: as many SQL statements for 50 rows as for 1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.models import TechnologyArea
from sites.enums import SiteKind
from tests.api.conftest import received, token_client
from tests.applications.factories import ChallengeFactory, ProgrammeFactory
from tests.sites.factories import AllocationFactory, AllocationRunFactory, CohortFactory, CohortTeamFactory, SiteFactory

NATIONS = ["PL", "DE", "NO", "FR", "IT"]


def build(count: int) -> int:
    """`count` applications, active sites (with areas) and offered allocations; returns the cohort's id."""
    programme = ProgrammeFactory(slug="diana-2026")
    challenges = [ChallengeFactory(programme=programme, order=n) for n in range(min(count, 10))]
    areas = list(TechnologyArea.objects.order_by("slug")[:2])
    cohort = CohortFactory(programme=programme)
    run = AllocationRunFactory(cohort=cohort)
    for number in range(1, count + 1):
        application = received(challenges[number % len(challenges)], "PL" if number % 2 else NATIONS[number % 5],
                               number, trl=1 + number % 9)  # fmt: skip
        kind = SiteKind.ACCELERATOR if number % 2 else SiteKind.TEST_CENTRE
        site = SiteFactory(kind=kind, areas=areas)
        AllocationFactory(team=CohortTeamFactory(cohort=cohort, application=application), run=run, site=site)
    return cohort.pk


def statements(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


# Ministry: token lookup, last-used stamp (first request of the minute), the page (its rows
# and total in one query for the applications and the allocations; count then rows for the
# others), the audit row; for the statistics, the programme, the counts (one GROUPING SETS
# pass) and the challenges' names instead of the page. Staff: session, user, roles
# (groups), TOTP check, then the page. Anonymous: the page, plus the challenges' or sites'
# areas. A cohort's allocations: the cohort's existence first. A ministry's list page served
# again from Redis (api.cache) costs the audit row only (tests/api/test_behaviour.py).
CASES = [
    ("anonymous", "/api/v1/sites/?page_size=200", 3),
    ("ministry", "/api/v1/sites/?page_size=200", 6),
    ("ministry", "/api/v1/cohorts/{cohort}/allocations/?page_size=200", 5),
    ("staff", "/api/v1/cohorts/{cohort}/allocations/?page_size=200", 6),
    ("ministry", "/api/v1/applications/?page_size=200", 4),
    ("staff", "/api/v1/applications/?page_size=200", 5),
    ("anonymous", "/api/v1/programmes/", 2),
    ("anonymous", "/api/v1/challenges/?page_size=200", 3),
    ("ministry", "/api/v1/programmes/diana-2026/stats/", 6),
]


@pytest.mark.parametrize(("audience", "path", "expected"), CASES)
@pytest.mark.parametrize("rows", [1, 50])
def test_query_count_is_flat(db, role_client, audience, path, expected, rows):
    from django.test import Client

    from accounts.enums import Role

    cohort = build(rows)
    client = {
        "ministry": lambda: token_client("PL"),
        "staff": lambda: role_client(Role.PROGRAMME_MANAGER),
        "anonymous": Client,
    }[audience]()

    assert statements(client, path.format(cohort=cohort)) == expected
