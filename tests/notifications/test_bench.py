"""The sender benchmark's verdict: a missed goal is a failure exit, not just a printout."""

import pytest

from bench.notifications_send import GOAL_SECONDS, met_goal

IDS = ["<diana-1@x>", "<diana-2@x>", "<diana-3@x>"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, True),
        ({"elapsed": GOAL_SECONDS}, True),
        ({"elapsed": GOAL_SECONDS + 0.01}, False),  # too slow, even though all went out once
        ({"sent": 2}, False),
        ({"stamped": 2}, False),
        ({"message_ids": [*IDS[:2], IDS[0]]}, False),  # one e-mail written twice
    ],
)
def test_benchmark_passes_only_when_every_message_goes_once_within_the_goal(fields, expected):
    result = {"expected": 3, "sent": 3, "stamped": 3, "message_ids": IDS, "elapsed": 7.9} | fields

    assert met_goal(**result) is expected
