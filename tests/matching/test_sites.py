"""Site allocation (DESIGN §7.1): optimal against brute force and an independent LP,
capacity and forbidden pairs never violated, total_cost recomputed, round() to even."""

import random

import pytest
from hypothesis import given, settings

from matching import allocate_sites, greedy_allocate_sites, site_cost, unassigned_penalty
from tests.matching.oracles import brute_force_sites, check_site_allocation, lp_sites
from tests.matching.strategies import site_problems


def team(ident, areas=(), score=50, preferences=()):
    return {"id": ident, "nation": "EE", "areas": list(areas), "score": score, "preferences": list(preferences)}


def site(ident, areas=(), capacity=1):
    return {"id": ident, "nation": "DK", "areas": list(areas), "capacity": capacity}


@pytest.mark.parametrize(
    ("preferences", "team_areas", "cost"),
    [
        ([], ["quantum"], 50),  # no preferences, areas fit
        (["S1", "S2"], ["quantum"], 0),  # first choice
        (["S3", "S2", "S1"], ["quantum"], 20),  # third choice (0-based rank 2)
        (["S3"], ["quantum"], 100),  # not listed
        (["S3"], ["space"], 300),  # not listed, no shared area
        ([], [], 250),  # no preferences, no areas
        (["S1"], [], 200),  # first choice, no shared area
        (["S2", "S2", "S1"], ["quantum"], 20),  # a site listed twice still takes a place: S1 is at 2
        (["S1", "S2", "S1"], ["quantum"], 0),  # listed twice: its first position counts
    ],
)
def test_site_cost_follows_the_definition(preferences, team_areas, cost):
    s1 = site("S1", ["quantum", "biotech"])

    assert site_cost(team("T1", team_areas, preferences=preferences), s1) == cost


@pytest.mark.parametrize(
    ("score", "penalty"),
    [(87.5, 1088), (86.5, 1086), (0.5, 1000), (1.5, 1002), (87.49, 1087), (87.51, 1088), (90, 1090), (-2.5, 998)],
)
def test_unassigned_penalty_rounds_halves_to_even_like_python(score, penalty):
    assert unassigned_penalty(team("T1", score=score)) == penalty


def test_allocation_respects_capacity_and_leaves_out_the_lowest_penalty():
    teams = [
        team("T1", ["quantum"], 87.5, ["S1"]),
        team("T2", ["quantum"], 60, ["S1"]),
        team("T3", ["quantum"], 90, ["S1"]),
    ]
    sites = [site("S1", ["quantum"], capacity=2)]

    result = allocate_sites({"teams": teams, "sites": sites, "forbidden": []})

    assert result == {
        "assignments": [{"team": "T1", "site": "S1"}, {"team": "T3", "site": "S1"}],
        "unassigned": ["T2"],
        "total_cost": 1060,
    }


def test_forbidden_pair_is_never_used_even_when_cheapest():
    teams = [team("T1", ["quantum"], 80, ["S1", "S2"])]
    sites = [site("S1", ["quantum"]), site("S2", ["space"])]

    result = allocate_sites({"teams": teams, "sites": sites, "forbidden": [["T1", "S1"]]})

    assert result == {"assignments": [{"team": "T1", "site": "S2"}], "unassigned": [], "total_cost": 210}


def test_optimum_beats_greedy_where_greedy_is_myopic():
    # Greedy seats the higher score first at its first choice; T2 then has nowhere that fits.
    teams = [team("T1", ["quantum"], 90, ["S1", "S2"]), team("T2", ["quantum"], 80, ["S1"])]
    sites = [site("S1", ["quantum"]), site("S2", ["quantum"])]
    p = {"teams": teams, "sites": sites}

    assert greedy_allocate_sites(p)["total_cost"] == 100  # T1 at S1 (0), T2 at S2 (100)
    assert allocate_sites(p) == {
        "assignments": [{"team": "T1", "site": "S2"}, {"team": "T2", "site": "S1"}],
        "unassigned": [],
        "total_cost": 10,
    }


def test_a_site_listed_twice_is_ranked_at_its_first_position():
    # §7.1 prices "s at position r" of the list as given, so a repeated site is not bad input:
    # S1 is at position 2 (20), S2 at 0, and the copy of S2 still counts before S1.
    teams = [team("T1", ["quantum"], 80, ["S2", "S2", "S1"]), team("T2", ["quantum"], 50, ["S3", "S1", "S3"])]
    sites = [site("S1", ["quantum"]), site("S2", ["quantum"], capacity=0), site("S3", ["quantum"], capacity=0)]
    p = {"teams": teams, "sites": sites}

    result = allocate_sites(p)

    # The one seat: T1 at S1 (20) with T2 out (1050), or T2 at S1 (10) with T1 out (1080).
    assert result == {"assignments": [{"team": "T1", "site": "S1"}], "unassigned": ["T2"], "total_cost": 1070}
    assert check_site_allocation(p, result) == 1070


def test_zero_capacity_sites_and_no_sites_leave_teams_unassigned():
    teams = [team("T1", score=12.5), team("T2", score=13.5)]

    assert allocate_sites({"teams": teams, "sites": [site("S1", capacity=0)]}) == {
        "assignments": [],
        "unassigned": ["T1", "T2"],
        "total_cost": 1012 + 1014,
    }
    assert allocate_sites({"teams": teams, "sites": []})["total_cost"] == 2026


def test_null_optional_lists_are_empty_and_huge_capacities_are_fine():
    p = {
        "teams": [{"id": "T1", "score": 70, "areas": None, "preferences": None}],
        "sites": [{"id": "S1", "areas": ["ai"], "capacity": 10**40}],
        "forbidden": None,
    }

    assert allocate_sites(p) == {"assignments": [{"team": "T1", "site": "S1"}], "unassigned": [], "total_cost": 250}


def test_no_teams_costs_nothing():
    assert allocate_sites({"teams": [], "sites": [site("S1")]}) == {
        "assignments": [],
        "unassigned": [],
        "total_cost": 0,
    }


def test_progress_is_reported_in_order_up_to_one():
    seen = []
    allocate_sites({"teams": [team("T1")], "sites": [site("S1")]}, progress=seen.append)

    assert seen == [0.2, 0.5, 0.9, 1.0]


@settings(max_examples=300, deadline=None)
@given(site_problems())
def test_optimal_against_brute_force(p):
    best = brute_force_sites(p)

    result = allocate_sites(p)

    assert check_site_allocation(p, result) == best


@settings(max_examples=100, deadline=None)
@given(site_problems())
def test_greedy_is_valid_and_never_beats_the_optimum(p):
    greedy = greedy_allocate_sites(p)

    assert check_site_allocation(p, greedy) >= allocate_sites(p)["total_cost"]


@settings(max_examples=150, deadline=None)
@given(site_problems(max_teams=10, max_sites=5))
def test_optimal_against_an_independent_lp_on_random_instances(p):
    assert check_site_allocation(p, allocate_sites(p)) == lp_sites(p)


def medium_problem(seed, t=80, s=12):
    """Popular sites, area clusters, scarce seats (so some teams stay out), some forbidden pairs."""
    rng = random.Random(seed)
    areas = [f"area{i}" for i in range(8)]
    site_ids = [f"S{j}" for j in range(s)]
    popular = site_ids[:3]
    sites = [site(sid, rng.sample(areas, rng.randint(1, 3)), capacity=rng.randint(0, 8)) for sid in site_ids]
    teams = []
    for i in range(t):
        prefs = rng.sample(popular, rng.randint(0, 2)) if rng.random() < 0.8 else []
        prefs += rng.sample([x for x in site_ids if x not in prefs], rng.randint(0, 3))
        teams.append(
            team(f"T{i}", rng.sample(areas, rng.randint(0, 2)), rng.choice([rng.uniform(40, 99), 70.5]), prefs)
        )
    forbidden = [[f"T{rng.randrange(t)}", rng.choice(site_ids)] for _ in range(t // 4)]
    return {"teams": teams, "sites": sites, "forbidden": forbidden}


@pytest.mark.parametrize("seed", range(8))
def test_optimal_against_an_independent_lp_on_medium_instances(seed):
    p = medium_problem(seed)
    optimum = lp_sites(p)

    result = allocate_sites(p)

    assert check_site_allocation(p, result) == optimum
