"""The two commands of DESIGN §7 checked from outside: JSON in, JSON out, exit 2 with one
line for a bad input, exit 3 naming the uncovered applications for an impossible assignment."""

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.matching.oracles import check_reviewer_assignment, check_site_allocation

ROOT = Path(__file__).resolve().parents[2]

# The §7 examples, completed with the sites and the application they mention but do not list
# (as printed, they name unknown ids, which is bad input: see test_bad_input.py).
SITES_EXAMPLE = {
    "teams": [{"id": "T1", "nation": "EE", "areas": ["quantum"], "score": 87.5, "preferences": ["S3", "S1"]}],
    "sites": [
        {"id": "S1", "nation": "DK", "areas": ["quantum", "biotech"], "capacity": 6},
        {"id": "S2", "nation": "EE", "areas": ["quantum"], "capacity": 6},
        {"id": "S3", "nation": "FI", "areas": ["space"], "capacity": 6},
    ],
    "forbidden": [["T1", "S2"]],
}
REVIEWERS_EXAMPLE = {
    "reviewers_per_application": 1,
    "applications": [
        {"id": "A1", "nation": "PL", "organisation": "org7", "areas": ["ai", "space"]},
        {"id": "A9", "nation": "DE", "organisation": "org2", "areas": ["ai"]},
    ],
    "reviewers": [
        {"id": "R1", "nation": "FR", "organisation": "", "areas": ["ai"], "max_load": 40},
        {"id": "R2", "nation": "IT", "organisation": "", "areas": ["quantum"], "max_load": 40},
    ],
    "conflicts": [["R1", "A9"]],
}
INFEASIBLE = {
    "reviewers_per_application": 2,
    "applications": [
        {"id": "A1", "organisation": "org7", "areas": ["ai"]},
        {"id": "A2", "organisation": "", "areas": ["ai"]},
    ],
    "reviewers": [
        {"id": "R1", "organisation": "org7", "areas": ["ai"], "max_load": 5},
        {"id": "R2", "organisation": "", "areas": ["ai"], "max_load": 5},
    ],
    "conflicts": [],
}


def run(command, problem, tmp_path, env=None):
    """Run `manage.py <command>` in a process of its own; return (status, stdout, stderr, output)."""
    source = tmp_path / "problem.json"
    target = tmp_path / "result.json"
    source.write_text(problem if isinstance(problem, str) else json.dumps(problem))
    done = subprocess.run(
        [sys.executable, "manage.py", command, "--input", str(source), "--output", str(target)],
        cwd=ROOT,
        env=os.environ.copy() if env is None else env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = json.loads(target.read_text()) if target.exists() else None
    return done.returncode, done.stdout, done.stderr, output


def test_allocate_sites_round_trips_the_example(tmp_path):
    status, stdout, stderr, output = run("allocate_sites", SITES_EXAMPLE, tmp_path)

    # S3 is T1's first choice but shares no area (0 + 200); S1 is its second and fits (10); S2 is forbidden.
    assert (status, stderr) == (0, "")
    assert output == {"assignments": [{"team": "T1", "site": "S1"}], "unassigned": [], "total_cost": 10}
    assert check_site_allocation(SITES_EXAMPLE, output) == 10
    assert "Teams placed: 1, unassigned: 0, total cost 10" in stdout


def test_assign_reviewers_round_trips_the_example(tmp_path):
    status, _stdout, stderr, output = run("assign_reviewers", REVIEWERS_EXAMPLE, tmp_path)

    # A1 takes R1 (covers ai, misses space: 10; R2 shares nothing: 100); A9 is conflicted with R1: R2 (100).
    assert (status, stderr) == (0, "")
    assert output == {
        "feasible": True,
        "assignments": [{"application": "A1", "reviewer": "R1"}, {"application": "A9", "reviewer": "R2"}],
        "total_cost": 110,
    }
    assert check_reviewer_assignment(REVIEWERS_EXAMPLE, output) == 110


def test_infeasible_assignment_exits_3_naming_the_applications(tmp_path):
    status, _stdout, stderr, output = run("assign_reviewers", INFEASIBLE, tmp_path)

    reason = (
        "1 application cannot be covered by 2 reviewers each: A1 "
        "(fewer than 2 unconflicted reviewers with any max_load)"
    )
    assert status == 3
    assert output == {"feasible": False, "reason": reason}
    assert stderr == f"CommandError: no assignment exists: {reason}\n"


def test_commands_run_with_no_configuration_at_all(tmp_path):
    # An outside checker runs them in a bare environment: no SECRET_KEY (which production
    # requires), no DEBUG, no database or Redis URL (which would start the embedded servers).
    bare = {"PATH": os.environ.get("PATH", "")}
    (tmp_path / "sites").mkdir()
    (tmp_path / "reviewers").mkdir()

    sites = run("allocate_sites", SITES_EXAMPLE, tmp_path / "sites", env=bare)
    reviewers = run("assign_reviewers", INFEASIBLE, tmp_path / "reviewers", env=bare)

    expected = {"assignments": [{"team": "T1", "site": "S1"}], "unassigned": [], "total_cost": 10}
    assert (sites[0], sites[2], sites[3]) == (0, "", expected)
    assert (reviewers[0], reviewers[3]["feasible"]) == (3, False), reviewers[2]


def test_infeasible_assignment_through_call_command(tmp_path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(INFEASIBLE))

    with pytest.raises(CommandError) as raised:
        call_command("assign_reviewers", input=str(source), output=str(target))

    assert raised.value.returncode == 3
    assert "A1" in str(raised.value)
    assert json.loads(target.read_text())["feasible"] is False


@pytest.mark.parametrize(
    ("command", "problem", "expected"),
    [
        (
            "allocate_sites",
            SITES_EXAMPLE,
            {"assignments": [{"team": "T1", "site": "S1"}], "unassigned": [], "total_cost": 10},
        ),
        ("assign_reviewers", {**INFEASIBLE, "reviewers_per_application": 1}, None),
    ],
    ids=["sites", "reviewers"],
)
def test_call_command_writes_the_result(tmp_path, command, problem, expected):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(problem))

    call_command(command, input=str(source), output=str(target))

    result = json.loads(target.read_text())
    if expected is not None:
        assert result == expected
    else:
        assert check_reviewer_assignment(problem, result) == 0


def test_an_input_with_a_byte_order_mark_is_read(tmp_path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_bytes(codecs.BOM_UTF8 + json.dumps(SITES_EXAMPLE).encode())

    call_command("allocate_sites", input=str(source), output=str(target))

    assert json.loads(target.read_text()) == {
        "assignments": [{"team": "T1", "site": "S1"}],
        "unassigned": [],
        "total_cost": 10,
    }


def test_ids_that_utf8_cannot_hold_are_written_as_escapes(tmp_path):
    # "\ud800" is valid JSON text but a lone surrogate once read: UTF-8 cannot encode it.
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text('{"teams": [{"id": "T\\ud800", "score": 1}], "sites": [{"id": "S1", "capacity": 1}]}')

    call_command("allocate_sites", input=str(source), output=str(target))

    assert target.read_text().isascii()
    assert json.loads(target.read_text()) == {
        "assignments": [{"team": "T\ud800", "site": "S1"}],
        "unassigned": [],
        "total_cost": 250,
    }


def test_infeasible_reason_naming_such_an_id_is_written_too(tmp_path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text('{"reviewers_per_application": 1, "applications": [{"id": "A\\ud800"}], "reviewers": []}')

    with pytest.raises(CommandError) as raised:
        call_command("assign_reviewers", input=str(source), output=str(target))

    assert raised.value.returncode == 3
    assert json.loads(target.read_text()) == {
        "feasible": False,
        "reason": '1 application cannot be covered by 1 reviewer each: "A\ud800" '
        "(no unconflicted reviewer with any max_load)",
    }
