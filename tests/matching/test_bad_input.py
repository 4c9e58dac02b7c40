"""Bad inputs (DESIGN §7.3): exactly one clear line on stderr, exit status 2, no traceback,
no output file; the same error through call_command and the Python API."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from matching import BadInput, allocate_sites, assign_reviewers
from tests.matching.test_commands import REVIEWERS_EXAMPLE, SITES_EXAMPLE, run


def changed(base, change):
    problem = copy.deepcopy(base)
    change(problem)
    return problem


def set_(path, value):
    def change(problem):
        target = problem
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def delete(path):
    def change(problem):
        target = problem
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


REVIEWER_CASES = [
    ("not-json", '{"applications": [', "is not valid JSON: Expecting value at line 1 column 19"),
    ("nan", changed(REVIEWERS_EXAMPLE, set_(["reviewers", 0, "max_load"], float("nan"))), "NaN is not allowed in JSON"),
    ("top-level-list", [], "the problem must be a JSON object, got []"),
    (
        "no-k",
        changed(REVIEWERS_EXAMPLE, delete(["reviewers_per_application"])),
        "the problem has no 'reviewers_per_application'",
    ),
    (
        "negative-k",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers_per_application"], -1)),
        "reviewers_per_application must be a non-negative integer, got -1",
    ),
    (
        "fractional-k",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers_per_application"], 1.5)),
        "reviewers_per_application must be a non-negative integer, got 1.5",
    ),
    (
        "boolean-k",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers_per_application"], True)),
        "reviewers_per_application must be a non-negative integer, got true",
    ),
    (
        "string-k",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers_per_application"], "3")),
        'reviewers_per_application must be a non-negative integer, got "3"',
    ),
    ("no-applications", changed(REVIEWERS_EXAMPLE, delete(["applications"])), "the problem has no 'applications'"),
    (
        "applications-not-list",
        changed(REVIEWERS_EXAMPLE, set_(["applications"], {})),
        "applications must be a list, got {}",
    ),
    (
        "application-not-object",
        changed(REVIEWERS_EXAMPLE, set_(["applications", 0], "A1")),
        'applications[0] must be a JSON object, got "A1"',
    ),
    ("application-no-id", changed(REVIEWERS_EXAMPLE, delete(["applications", 0, "id"])), "applications[0] has no 'id'"),
    (
        "duplicate-application",
        changed(REVIEWERS_EXAMPLE, set_(["applications", 1, "id"], "A1")),
        "applications has the id A1 twice",
    ),
    (
        "duplicate-reviewer",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers", 1, "id"], "R1")),
        "reviewers has the id R1 twice",
    ),
    ("empty-id", changed(REVIEWERS_EXAMPLE, set_(["reviewers", 1, "id"], "")), "reviewers[1]: id must not be empty"),
    (
        "negative-load",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers", 0, "max_load"], -3)),
        "reviewers[0] (R1): max_load must be a non-negative integer, got -3",
    ),
    (
        "no-load",
        changed(REVIEWERS_EXAMPLE, delete(["reviewers", 1, "max_load"])),
        "reviewers[1] (R2) has no 'max_load'",
    ),
    (
        "areas-string",
        changed(REVIEWERS_EXAMPLE, set_(["applications", 0, "areas"], "ai")),
        'applications[0] (A1): areas must be a list, got "ai"',
    ),
    (
        "area-not-string",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers", 0, "areas"], [["ai"]])),
        'reviewers[0] (R1): areas[0] must be a string, got ["ai"]',
    ),
    (
        "organisation-list",
        changed(REVIEWERS_EXAMPLE, set_(["reviewers", 0, "organisation"], [])),
        "reviewers[0] (R1): organisation must be a string, got []",
    ),
    (
        "unknown-reviewer",
        changed(REVIEWERS_EXAMPLE, set_(["conflicts"], [["R9", "A1"]])),
        "conflicts[0][0] names unknown reviewer R9",
    ),
    (
        "unknown-application",
        changed(REVIEWERS_EXAMPLE, set_(["conflicts"], [["R1", "A7"]])),
        "conflicts[0][1] names unknown application A7",
    ),
    (
        "conflict-not-pair",
        changed(REVIEWERS_EXAMPLE, set_(["conflicts"], [["R1"]])),
        'conflicts[0] must be a pair [reviewer id, application id], got ["R1"]',
    ),
    ("conflicts-not-list", changed(REVIEWERS_EXAMPLE, set_(["conflicts"], "R1")), 'conflicts must be a list, got "R1"'),
    # The §7.2 example as printed lists a conflict with A9, which its applications do not hold.
    (
        "design-example-as-printed",
        changed(REVIEWERS_EXAMPLE, set_(["applications"], REVIEWERS_EXAMPLE["applications"][:1])),
        "conflicts[0][1] names unknown application A9",
    ),
]

SITE_CASES = [
    ("empty-file", "", "is not valid JSON: Expecting value at line 1 column 1"),
    ("no-teams", changed(SITES_EXAMPLE, delete(["teams"])), "the problem has no 'teams'"),
    ("no-sites", changed(SITES_EXAMPLE, delete(["sites"])), "the problem has no 'sites'"),
    (
        "negative-capacity",
        changed(SITES_EXAMPLE, set_(["sites", 0, "capacity"], -1)),
        "sites[0] (S1): capacity must be a non-negative integer, got -1",
    ),
    (
        "fractional-capacity",
        changed(SITES_EXAMPLE, set_(["sites", 0, "capacity"], 2.5)),
        "sites[0] (S1): capacity must be a non-negative integer, got 2.5",
    ),
    ("no-capacity", changed(SITES_EXAMPLE, delete(["sites", 0, "capacity"])), "sites[0] (S1) has no 'capacity'"),
    ("duplicate-site", changed(SITES_EXAMPLE, set_(["sites", 1, "id"], "S1")), "sites has the id S1 twice"),
    (
        "duplicate-team",
        changed(SITES_EXAMPLE, lambda p: p["teams"].append(dict(p["teams"][0]))),
        "teams has the id T1 twice",
    ),
    ("no-score", changed(SITES_EXAMPLE, delete(["teams", 0, "score"])), "teams[0] (T1) has no 'score'"),
    (
        "string-score",
        changed(SITES_EXAMPLE, set_(["teams", 0, "score"], "87.5")),
        'teams[0] (T1): score must be a number, got "87.5"',
    ),
    ("infinite-score", changed(SITES_EXAMPLE, set_(["teams", 0, "score"], 1e400)), "Infinity is not allowed in JSON"),
    (
        "unknown-preference",
        changed(SITES_EXAMPLE, set_(["teams", 0, "preferences"], ["S1", "S7"])),
        "teams[0] (T1): preferences[1] names unknown site S7",
    ),
    (
        "preferences-string",
        changed(SITES_EXAMPLE, set_(["teams", 0, "preferences"], "S1")),
        'teams[0] (T1): preferences must be a list, got "S1"',
    ),
    (
        "forbidden-unknown-team",
        changed(SITES_EXAMPLE, set_(["forbidden"], [["T2", "S1"]])),
        "forbidden[0][0] names unknown team T2",
    ),
    (
        "forbidden-unknown-site",
        changed(SITES_EXAMPLE, set_(["forbidden"], [["T1", "S9"]])),
        "forbidden[0][1] names unknown site S9",
    ),
    (
        "forbidden-triple",
        changed(SITES_EXAMPLE, set_(["forbidden"], [["T1", "S1", "S2"]])),
        'forbidden[0] must be a pair [team id, site id], got ["T1", "S1", "S2"]',
    ),
    (
        "id-with-newline",
        changed(SITES_EXAMPLE, set_(["forbidden"], [["T1\nX", "S1"]])),
        'forbidden[0][0] names unknown team "T1\\nX"',
    ),
    # The §7.1 example as printed prefers S3 and forbids S2, neither of which its sites hold.
    (
        "design-example-as-printed",
        changed(SITES_EXAMPLE, set_(["sites"], SITES_EXAMPLE["sites"][:1])),
        "teams[0] (T1): preferences[0] names unknown site S3",
    ),
]

CASES = [("assign_reviewers", *case) for case in REVIEWER_CASES] + [("allocate_sites", *case) for case in SITE_CASES]
IDS = [f"{command}-{case[0]}" for command, *case in CASES]


def as_text(problem):
    return problem if isinstance(problem, str) else json.dumps(problem)


# Every case goes through call_command below; these, one of each kind, also go through a
# process of their own (manage.py starts in about a second, so not all ~45 of them).
OUTSIDE = {
    ("assign_reviewers", "not-json"),
    ("assign_reviewers", "nan"),
    ("assign_reviewers", "negative-load"),
    ("assign_reviewers", "duplicate-application"),
    ("assign_reviewers", "unknown-application"),
    ("assign_reviewers", "design-example-as-printed"),
    ("allocate_sites", "empty-file"),
    ("allocate_sites", "negative-capacity"),
    ("allocate_sites", "fractional-capacity"),
    ("allocate_sites", "unknown-preference"),
    ("allocate_sites", "forbidden-unknown-site"),
    ("allocate_sites", "id-with-newline"),
}
OUTSIDE_CASES = [
    pytest.param(*case, id=case_id) for case_id, case in zip(IDS, CASES, strict=True) if case[:2] in OUTSIDE
]


def test_every_outside_case_is_in_the_table():
    assert len(OUTSIDE_CASES) == len(OUTSIDE)


@pytest.mark.parametrize(("command", "name", "problem", "message"), OUTSIDE_CASES)
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, command, name, problem, message):
    status, stdout, stderr, output = run(command, as_text(problem), tmp_path)

    assert status == 2, stderr
    assert stderr.startswith("CommandError: ")
    assert stderr.endswith(f"{message}\n")
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr
    assert (stdout, output) == ("", None)


@pytest.mark.parametrize(("command", "name", "problem", "message"), CASES, ids=IDS)
def test_bad_input_through_call_command(tmp_path, command, name, problem, message):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(as_text(problem))

    with pytest.raises(CommandError) as raised:
        call_command(command, input=str(source), output=str(target))

    assert raised.value.returncode == 2
    assert str(raised.value).endswith(message)
    assert not target.exists()


# Text that is not JSON, NaN and Infinity are refused by the JSON reader, before the solver.
API_CASES = [
    pytest.param(*case, id=case_id)
    for case_id, case in zip(IDS, CASES, strict=True)
    if not isinstance(case[2], str) and "not allowed in JSON" not in case[3]
]


@pytest.mark.parametrize(("command", "name", "problem", "message"), API_CASES)
def test_bad_input_raises_from_the_python_api(command, name, problem, message):
    solve = assign_reviewers if command == "assign_reviewers" else allocate_sites

    with pytest.raises(BadInput) as raised:
        solve(problem)

    assert str(raised.value) == message


@pytest.mark.parametrize("command", ["assign_reviewers", "allocate_sites"])
def test_missing_input_file_is_one_line_and_exit_2(tmp_path, command):
    target = tmp_path / "out.json"

    with pytest.raises(CommandError) as raised:
        call_command(command, input=str(tmp_path / "absent.json"), output=str(target))

    assert raised.value.returncode == 2
    assert str(raised.value) == f"cannot read {tmp_path / 'absent.json'}: No such file or directory"


@pytest.mark.parametrize("command", ["assign_reviewers", "allocate_sites"])
def test_unwritable_output_is_one_line_and_exit_2(tmp_path, command):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(REVIEWERS_EXAMPLE if command == "assign_reviewers" else SITES_EXAMPLE))
    target = tmp_path / "no-such-dir" / "out.json"

    with pytest.raises(CommandError) as raised:
        call_command(command, input=str(source), output=str(target))

    assert raised.value.returncode == 2
    assert str(raised.value) == f"cannot write {target}: No such file or directory"


def test_file_that_is_not_utf8_is_one_line_and_exit_2(tmp_path):
    source = tmp_path / "in.json"
    source.write_bytes(b'{"teams": "\xff"}')

    with pytest.raises(CommandError) as raised:
        call_command("allocate_sites", input=str(source), output=str(tmp_path / "out.json"))

    assert raised.value.returncode == 2
    assert str(raised.value) == f"{source} is not UTF-8 text: invalid start byte at byte 11"
