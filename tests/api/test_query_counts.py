"""Every list endpoint and the statistics: as many SQL statements for 50 rows as for 1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import received, token_client
from tests.applications.factories import ChallengeFactory, ProgrammeFactory

NATIONS = ["PL", "DE", "NO", "FR", "IT"]


def build(count: int):
    programme = ProgrammeFactory(slug="diana-2026")
    challenges = [ChallengeFactory(programme=programme, order=n) for n in range(min(count, 10))]
    for number in range(1, count + 1):
        received(challenges[number % len(challenges)], "PL" if number % 2 else NATIONS[number % 5], number,
                 trl=1 + number % 9)  # fmt: skip
    return programme


def statements(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


# Ministry: token lookup, last-used stamp (first request of the minute), the page's count and
# rows, the audit row; for the statistics, the programme, the counts (one GROUPING SETS
# pass) and the challenges' names instead of the page. Staff: session, user, roles
# (groups), TOTP check, count, rows. Anonymous: count and rows, plus the challenges' areas.
CASES = [
    ("ministry", "/api/v1/applications/?page_size=200", 5),
    ("staff", "/api/v1/applications/?page_size=200", 6),
    ("anonymous", "/api/v1/programmes/", 2),
    ("anonymous", "/api/v1/challenges/?page_size=200", 3),
    ("ministry", "/api/v1/programmes/diana-2026/stats/", 6),
]


@pytest.mark.parametrize(("audience", "path", "expected"), CASES)
@pytest.mark.parametrize("rows", [1, 50])
def test_query_count_is_flat(db, role_client, audience, path, expected, rows):
    from django.test import Client

    from accounts.enums import Role

    build(rows)
    client = {
        "ministry": lambda: token_client("PL"),
        "staff": lambda: role_client(Role.PROGRAMME_MANAGER),
        "anonymous": Client,
    }[audience]()

    assert statements(client, path) == expected
