"""The staff list reads its pages in index order: no page sorts the whole call.

Timings live in bench/applications_scale.py (10,000 applications); this checks only the
shape of the plan. Sequential scans and sorts are priced out, so PostgreSQL takes an
index that hands the rows over in the list's own order if one exists, and must still
sort if none does. Changing the selector's order_by without the index fails here.
"""

import pytest
from django.db import connection

from applications.selectors import application_list_for_staff
from tests.applications.factories import ApplicationFactory, ChallengeFactory, submitted_application

pytestmark = pytest.mark.django_db

STAFF_ORDER_INDEX = "application_staff_order_idx"


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # SET LOCAL: the test's transaction ends with the test.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("filters", [{}, {"status": "eligible"}], ids=["all", "by-status"])
def test_staff_list_page_is_read_in_index_order(filters):
    challenge = ChallengeFactory()
    submitted_application(challenge=challenge)
    ApplicationFactory(challenge=challenge)  # a draft: submitted_at is NULL, listed last
    queryset = application_list_for_staff(programme=challenge.programme).filter(**filters)

    plan = plan_of(queryset[:50])

    assert STAFF_ORDER_INDEX in plan, plan
    assert "Sort" not in plan, plan
