"""Reviewer assignment (DESIGN §7.2): optimal against brute force and an independent LP,
every constraint held, total_cost recomputed, and infeasibility explained."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import BadInput, assign_reviewers, greedy_assign_reviewers, reviewer_cost
from tests.matching.oracles import (
    brute_force_reviewers,
    check_reviewer_assignment,
    conflicted,
    lp_reviewers,
    short_in_some_maximum,
)
from tests.matching.strategies import reviewer_problems


def app(ident, areas=(), organisation=""):
    return {"id": ident, "nation": "PL", "organisation": organisation, "areas": list(areas)}


def rev(ident, areas=(), max_load=10, organisation=""):
    return {"id": ident, "nation": "FR", "organisation": organisation, "areas": list(areas), "max_load": max_load}


def problem(apps, revs, k=1, conflicts=()):
    return {"reviewers_per_application": k, "applications": apps, "reviewers": revs, "conflicts": list(conflicts)}


@pytest.mark.parametrize(
    ("app_areas", "rev_areas", "cost"),
    [
        (["ai", "space"], ["ai"], 10),
        (["ai", "space"], ["ai", "space", "quantum"], 0),
        (["ai", "space"], ["quantum"], 100),
        (["ai"], [], 100),
        ([], ["ai"], 100),  # an application without areas shares nothing with anyone
        ([], [], 100),
        ([f"x{i}" for i in range(12)], ["x0"], 110),  # the definition has no cap at 100
    ],
)
def test_reviewer_cost_follows_the_definition(app_areas, rev_areas, cost):
    assert reviewer_cost(app_areas, rev_areas) == cost


def test_assign_reviewers_picks_the_cheapest_feasible_pairs():
    apps = [app("A1", ["ai", "space"]), app("A2", ["quantum"])]
    revs = [rev("R1", ["ai", "space"], max_load=1), rev("R2", ["ai"]), rev("R3", ["quantum"]), rev("R4", [])]

    result = assign_reviewers(problem(apps, revs, k=2))

    # A1: R1 (0) + R2 (10); A2: R3 (0) + R4 (100), since R1 is full and R2 shares nothing (100) too;
    # R2 and R4 tie at 100 for A2, so only the cost is fixed there.
    assert result["feasible"] is True
    assert result["total_cost"] == 110
    assert result["assignments"][:3] == [
        {"application": "A1", "reviewer": "R1"},
        {"application": "A1", "reviewer": "R2"},
        {"application": "A2", "reviewer": "R3"},
    ]
    assert check_reviewer_assignment(problem(apps, revs, k=2), result) == 110


def test_assign_reviewers_beats_greedy_where_greedy_is_myopic():
    # Greedy gives A1 the expert R1 (0 instead of 10); A2 then must take R2, who shares nothing.
    apps = [app("A1", ["ai"]), app("A2", ["ai", "space"])]
    revs = [rev("R1", ["ai", "space"], max_load=1), rev("R2", ["ai"], max_load=1)]
    p = problem(apps, revs)

    assert greedy_assign_reviewers(p)["total_cost"] == 10
    assert assign_reviewers(p) == {
        "feasible": True,
        "assignments": [{"application": "A1", "reviewer": "R2"}, {"application": "A2", "reviewer": "R1"}],
        "total_cost": 0,
    }


def test_assign_reviewers_succeeds_where_greedy_fails():
    apps = [app("A1", ["ai"]), app("A2", ["space"])]
    revs = [rev("R1", ["ai"], max_load=1), rev("R2", ["space"], max_load=1)]
    # A2 may only have R1; greedy hands R1 to A1 first.
    p = problem(apps, revs, conflicts=[["R2", "A2"]])

    assert greedy_assign_reviewers(p) == {
        "feasible": False,
        "reason": "1 application cannot be covered by 1 reviewer each: A2 (greedy ran out of free reviewers)",
        "uncovered": ["A2"],
    }
    assert assign_reviewers(p)["assignments"] == [
        {"application": "A1", "reviewer": "R2"},
        {"application": "A2", "reviewer": "R1"},
    ]


def test_same_non_empty_organisation_is_a_conflict_and_empty_is_not():
    apps = [app("A1", ["ai"], organisation="org7"), app("A2", ["ai"], organisation="")]
    revs = [rev("R1", ["ai"], organisation="org7"), rev("R2", [], organisation=""), rev("R3", ["ai"], organisation="")]

    result = assign_reviewers(problem(apps, revs, k=2))

    assert result["assignments"] == [
        {"application": "A1", "reviewer": "R2"},
        {"application": "A1", "reviewer": "R3"},
        {"application": "A2", "reviewer": "R1"},
        {"application": "A2", "reviewer": "R3"},
    ]
    assert result["total_cost"] == 100


def test_application_with_too_few_unconflicted_reviewers_is_named():
    apps = [app("A1", ["ai"]), app("A2", ["ai"], organisation="org7"), app("A3", ["ai"])]
    revs = [rev("R1", ["ai"], organisation="org7"), rev("R2", ["ai"]), rev("R3", ["ai"], max_load=0)]
    p = problem(apps, revs, k=2, conflicts=[["R2", "A3"]])

    result = assign_reviewers(p)

    assert result == {
        "feasible": False,
        "reason": "2 applications cannot be covered by 2 reviewers each: A2, A3 "
        "(fewer than 2 unconflicted reviewers with any max_load)",
        "uncovered": ["A2", "A3"],
    }


def test_applications_short_of_candidates_and_of_load_are_both_named():
    # A1 has no unconflicted reviewer at all; without it, A2 and A3 still compete for R1's one review.
    apps = [app("A1", ["ai"]), app("A2", ["ai"]), app("A3", ["ai"]), app("A4", ["space"])]
    revs = [rev("R1", ["ai"], max_load=1), rev("R2", ["space"], max_load=5)]
    p = problem(apps, revs, conflicts=[["R1", "A1"], ["R2", "A1"], ["R2", "A2"], ["R2", "A3"]])

    result = assign_reviewers(p)

    assert result == {
        "feasible": False,
        "reason": "3 applications cannot all be covered by 1 reviewer each: A1 (no unconflicted reviewer with "
        "any max_load); A2, A3 (too little max_load among the reviewers they may have)",
        "uncovered": ["A1", "A2", "A3"],
    }


def test_a_huge_k_names_every_application():
    apps = [app("A1", ["ai"]), app("A2", ["ai"])]

    result = assign_reviewers(problem(apps, [rev("R1", ["ai"])], k=10**40))

    assert result == {
        "feasible": False,
        "reason": f"2 applications cannot be covered by {10**40} reviewers each: A1, A2 "
        f"(fewer than {10**40} unconflicted reviewers with any max_load)",
        "uncovered": ["A1", "A2"],
    }


def test_applications_short_of_reviewer_load_are_named_but_not_the_others():
    # A1 and A2 can only use R1, who takes one review; A3 has its own reviewer.
    apps = [app("A1", ["ai"]), app("A2", ["ai"]), app("A3", ["space"])]
    revs = [rev("R1", ["ai"], max_load=1), rev("R2", ["space"], max_load=5)]
    p = problem(apps, revs, conflicts=[["R2", "A1"], ["R2", "A2"]])

    result = assign_reviewers(p)

    assert result == {
        "feasible": False,
        "reason": "2 applications cannot all be covered by 1 reviewer each: A1, A2 "
        "(too little max_load among the reviewers they may have)",
        "uncovered": ["A1", "A2"],
    }


def test_total_load_too_small_names_every_application():
    apps = [app("A1", ["ai"]), app("A2", ["ai"]), app("A3", ["ai"])]
    revs = [rev("R1", ["ai"], max_load=2), rev("R2", ["ai"], max_load=3)]

    result = assign_reviewers(problem(apps, revs, k=2))

    assert result["feasible"] is False
    assert result["uncovered"] == ["A1", "A2", "A3"]


@pytest.mark.parametrize(
    ("apps", "k"),
    [([], 3), ([app("A1", ["ai"])], 0)],
    ids=["no-applications", "k-zero"],
)
def test_nothing_to_assign_is_feasible_at_zero_cost(apps, k):
    assert assign_reviewers(problem(apps, [], k=k)) == {"feasible": True, "assignments": [], "total_cost": 0}


def test_no_reviewers_names_every_application():
    result = assign_reviewers(problem([app("A1"), app("A2")], [], k=1))

    assert result["uncovered"] == ["A1", "A2"]


def test_progress_is_reported_in_order_up_to_one():
    seen = []
    assign_reviewers(problem([app("A1", ["ai"])], [rev("R1", ["ai"])]), progress=seen.append)

    assert seen == [0.2, 0.5, 0.9, 1.0]


def test_bad_input_raises_before_any_progress():
    seen = []
    with pytest.raises(BadInput, match=r"^reviewers\[0\] \(R1\): max_load must be a non-negative integer, got -1$"):
        assign_reviewers(problem([app("A1")], [rev("R1", max_load=-1)]), progress=seen.append)
    assert seen == []


def test_null_optional_lists_are_empty_and_huge_loads_are_fine():
    p = {
        "reviewers_per_application": 1,
        "applications": [{"id": "A1", "areas": None, "organisation": None}],
        "reviewers": [{"id": "R1", "areas": ["ai"], "max_load": 10**40}],
        "conflicts": None,
    }

    assert assign_reviewers(p) == {
        "feasible": True,
        "assignments": [{"application": "A1", "reviewer": "R1"}],
        "total_cost": 100,
    }


def test_missing_conflicts_means_none():
    p = {"reviewers_per_application": 1, "applications": [app("A1", ["ai"])], "reviewers": [rev("R1", ["ai"])]}

    assert assign_reviewers(p)["total_cost"] == 0


def test_integer_ids_are_kept_as_given():
    p = problem([{"id": 1, "areas": ["ai"]}], [{"id": 7, "areas": ["ai"], "max_load": 1}])

    assert assign_reviewers(p)["assignments"] == [{"application": 1, "reviewer": 7}]


@settings(max_examples=300, deadline=None)
@given(reviewer_problems())
def test_optimal_against_brute_force(p):
    best = brute_force_reviewers(p)

    result = assign_reviewers(p)

    if best is None:
        assert result["feasible"] is False
        assert result["uncovered"]
        assert set(result["uncovered"]) <= {a["id"] for a in p["applications"]}
        for ident in result["uncovered"]:
            assert ident in result["reason"]
    else:
        assert result["feasible"] is True
        assert check_reviewer_assignment(p, result) == best


# Loads of one review make the loads, not the conflicts, what runs out in many of these.
@settings(max_examples=200, deadline=None)
@given(st.one_of(reviewer_problems(max_apps=3, max_reviewers=3), reviewer_problems(4, 3, 2, loads=(1, 1))))
def test_uncovered_applications_are_exactly_those_that_can_be_left_short(p):
    """Exactly the applications short of unconflicted reviewers, and, with those set aside,
    the applications some maximum assignment of the others leaves short."""
    result = assign_reviewers(p)
    if result["feasible"]:
        return
    k = p["reviewers_per_application"]
    lacking = {
        a["id"]
        for a in p["applications"]
        if sum(1 for r in p["reviewers"] if r["max_load"] > 0 and not conflicted(p, a, r)) < k
    }
    others = {**p, "applications": [a for a in p["applications"] if a["id"] not in lacking]}

    expected = lacking | short_in_some_maximum(others)

    assert set(result["uncovered"]) == expected
    assert result["uncovered"] == [a["id"] for a in p["applications"] if a["id"] in expected]  # input order


@settings(max_examples=100, deadline=None)
@given(reviewer_problems())
def test_greedy_is_valid_and_never_beats_the_optimum(p):
    greedy = greedy_assign_reviewers(p)
    optimal = assign_reviewers(p)

    if greedy["feasible"]:
        assert optimal["feasible"] is True
        assert check_reviewer_assignment(p, greedy) >= optimal["total_cost"]


@settings(max_examples=150, deadline=None)
@given(reviewer_problems(max_apps=8, max_reviewers=6, max_k=3))
def test_optimal_against_an_independent_lp_on_random_instances(p):
    optimum = lp_reviewers(p)

    result = assign_reviewers(p)

    assert result["feasible"] is (optimum is not None)
    if optimum is not None:
        assert check_reviewer_assignment(p, result) == optimum


def medium_problem(seed, n=60, m=20, k=3):
    """Topic clusters, a few popular areas, organisations and conflicts, loads near the limit."""
    rng = random.Random(seed)
    areas = [f"area{i}" for i in range(12)]
    apps = [
        app(f"A{i}", rng.sample(areas[: 4 + i % 8], rng.randint(1, 3)), organisation=rng.choice(["", "o1", "o2", "o3"]))
        for i in range(n)
    ]
    revs = [
        rev(f"R{j}", rng.sample(areas, rng.randint(1, 4)), rng.randint(6, 14), rng.choice(["", "", "o1", "o2"]))
        for j in range(m)
    ]
    conflicts = [[f"R{rng.randrange(m)}", f"A{rng.randrange(n)}"] for _ in range(n // 3)]
    return problem(apps, revs, k=k, conflicts=conflicts)


@pytest.mark.parametrize("seed", range(8))
def test_optimal_against_an_independent_lp_on_medium_instances(seed):
    p = medium_problem(seed)
    optimum = lp_reviewers(p)

    result = assign_reviewers(p)

    if optimum is None:
        assert result["feasible"] is False
    else:
        assert check_reviewer_assignment(p, result) == optimum


def test_medium_instances_include_feasible_ones():
    """The LP comparison above is worth something only if most of its instances are feasible."""
    assert sum(lp_reviewers(medium_problem(seed)) is not None for seed in range(8)) >= 6
