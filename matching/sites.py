"""Site allocation, DESIGN §7.1: each team gets at most one site, a site takes at most its
capacity, forbidden pairs are never used, and the sum of the pair costs plus the penalties of
the unassigned teams is minimal.

As a min-cost flow (why OR-Tools' SimpleMinCostFlow: see matching._flow), every team holds
a supply of one unit that must reach the sink, either through a site or straight away:

    team --(cap 1, cost c(t, s))--> site --(cap capacity, cost 0)--> sink
    team --(cap 1, cost 1000 + round(score))----------------------> sink   ("unassigned")

The direct arc makes every instance feasible. The constraint matrix is totally unimodular,
so the optimal flow is integral: each team's unit goes down exactly one of its arcs. Every
arc is kept, so the optimum is the whole problem's.

A pair costs at most 300 and a penalty is at least 1000 for any score >= -700, so a team is
left out only when capacity (or forbidden pairs) force it, and then the teams with the
lowest scores (smallest penalties) are the ones left out, other things equal.

round() is Python's: it rounds halves to the even integer (round(86.5) == 86, round(87.5) ==
88), exactly as the contract's `round(t.score)` reads in Python.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching import _input as inp
from matching._flow import Arcs, Progress, report, shared_areas, solve_min_cost_flow

NO_PREFERENCES_COST = 50
RANK_COST = 10
NOT_PREFERRED_COST = 100
NO_FIT_COST = 200
UNASSIGNED_BASE = 1000


def site_cost(team: dict[str, Any], site: dict[str, Any]) -> int:
    """DESIGN §7.1: the preference cost (50 without preferences, 10·rank if listed, else 100)
    plus 200 when the team's and the site's areas share nothing."""
    preferences = list(team.get("preferences") or [])
    if not preferences:
        cost = NO_PREFERENCES_COST
    elif site["id"] in preferences:
        cost = RANK_COST * preferences.index(site["id"])
    else:
        cost = NOT_PREFERRED_COST
    if not set(team.get("areas") or []) & set(site.get("areas") or []):
        cost += NO_FIT_COST
    return cost


def unassigned_penalty(team: dict[str, Any]) -> int:
    """DESIGN §7.1: 1000 + round(score), with Python's round (halves to even)."""
    return UNASSIGNED_BASE + round(team["score"])


@dataclass(frozen=True)
class SiteProblem:
    teams: list[dict[str, Any]]  # the checked records, as given
    sites: list[dict[str, Any]]
    team_ids: list[Hashable]
    site_ids: list[Hashable]
    team_areas: list[frozenset[Hashable]]
    site_areas: list[frozenset[Hashable]]
    preferences: list[dict[int, int]]  # site index -> 0-based rank, in the team's order
    penalty: np.ndarray  # int64, one per team
    capacity: np.ndarray  # int64, one per site
    forbidden: list[tuple[int, int]]  # (team index, site index)

    @property
    def t(self) -> int:
        return len(self.team_ids)

    @property
    def s(self) -> int:
        return len(self.site_ids)


def parse_site_problem(problem: Any) -> SiteProblem:
    """Check the §7.1 input and return it in index form; raises BadInput naming the problem."""
    problem = inp.as_object(problem, "the problem")
    teams = inp.records(problem, "teams")
    sites = inp.records(problem, "sites")
    site_index = inp.index_of([ident for ident, _, _ in sites])
    team_index = inp.index_of([ident for ident, _, _ in teams])
    # A site never takes more than every team: clipping keeps capacities small, changes nothing.
    capacity = [
        min(inp.as_count(inp.required(obj, "capacity", where), f"{where}: capacity"), len(teams))
        for _, obj, where in sites
    ]
    preferences = []
    penalty = []
    for _, obj, where in teams:
        listed = inp.optional_list(obj, "preferences", f"{where}: preferences")
        ranked: dict[int, int] = {}
        for i, v in enumerate(listed):
            # A site listed twice keeps its first position, as list.index() reads "s is at
            # position r"; the later copy still takes its place, so the sites after it keep
            # the position they have in the list as given.
            ranked.setdefault(inp.lookup(site_index, v, f"{where}: preferences[{i}]", "site"), i)
        preferences.append(ranked)
        score = inp.as_score(inp.required(obj, "score", where), f"{where}: score")
        penalty.append(UNASSIGNED_BASE + round(score))
    forbidden = inp.pairs(problem, "forbidden", ("team", team_index), ("site", site_index))
    return SiteProblem(
        teams=[obj for _, obj, _ in teams],
        sites=[obj for _, obj, _ in sites],
        team_ids=[ident for ident, _, _ in teams],
        site_ids=[ident for ident, _, _ in sites],
        team_areas=[inp.as_areas(obj, where) for _, obj, where in teams],
        site_areas=[inp.as_areas(obj, where) for _, obj, where in sites],
        preferences=preferences,
        penalty=np.asarray(penalty, dtype=np.int64).reshape(-1),
        capacity=np.asarray(capacity, dtype=np.int64).reshape(-1),
        forbidden=forbidden,
    )


def cost_matrix(p: SiteProblem) -> np.ndarray:
    """cost[t, s] for every pair (int32, |teams| x |sites|), vectorised."""
    no_prefs = np.array([not ranked for ranked in p.preferences], dtype=bool)
    cost = np.where(no_prefs[:, None], NO_PREFERENCES_COST, NOT_PREFERRED_COST).astype(np.int32)
    cost = np.broadcast_to(cost, (p.t, p.s)).copy()
    rows = [t for t, ranked in enumerate(p.preferences) for _ in ranked]
    cols = [s for ranked in p.preferences for s in ranked]
    ranks = [r for ranked in p.preferences for r in ranked.values()]
    cost[rows, cols] = RANK_COST * np.asarray(ranks, dtype=np.int32)
    cost += np.where(shared_areas(p.team_areas, p.site_areas) == 0, NO_FIT_COST, 0)
    return cost


def allowed_matrix(p: SiteProblem) -> np.ndarray:
    allowed = np.broadcast_to(p.capacity > 0, (p.t, p.s)).copy()
    if p.forbidden:
        t_idx, s_idx = np.array(p.forbidden, dtype=np.int64).T
        allowed[t_idx, s_idx] = False
    return allowed


def allocate_sites(problem: dict[str, Any], *, progress: Progress = None) -> dict[str, Any]:
    """Optimal allocation for a §7.1 problem (raises BadInput).

    Returns {"assignments": [{"team", "site"}], "unassigned": [ids], "total_cost": int}, both
    lists in the teams' input order.
    """
    p = parse_site_problem(problem)
    report(progress, 0.2)
    t, s = p.t, p.s
    if t == 0:
        report(progress, 1.0)
        return {"assignments": [], "unassigned": [], "total_cost": 0}

    # One arc per allowed pair, row-major: in input order of teams, then sites.
    pairs = np.flatnonzero(allowed_matrix(p))
    pair_team = (pairs // s).astype(np.int32)
    pair_site = (pairs % s).astype(np.int32)
    pair_cost = cost_matrix(p).ravel()[pairs]
    del pairs
    supplies = np.concatenate([np.ones(t, np.int64), np.zeros(s, np.int64), [-t]])

    feasible, flows, optimal = solve_min_cost_flow(
        t + s + 1, _arcs(p, pair_team, pair_site, pair_cost), supplies, on_built=lambda: report(progress, 0.5)
    )
    if not feasible:  # impossible: every team has its own arc to the sink
        raise RuntimeError("site allocation flow reported infeasible")
    report(progress, 0.9)
    chosen = np.flatnonzero(flows[: pair_team.size] > 0)
    result = _result(p, pair_team[chosen], pair_site[chosen])
    if result["total_cost"] != optimal:
        raise RuntimeError(f"recomputed cost {result['total_cost']} differs from the solver's {optimal}")
    report(progress, 1.0)
    return result


def _arcs(p: SiteProblem, pair_team: np.ndarray, pair_site: np.ndarray, pair_cost: np.ndarray) -> Iterator[Arcs]:
    """The network's arcs, pair arcs first (so that arc i is pair i). Nodes: teams 0..t-1,
    sites t..t+s-1, the sink t+s."""
    t, s = p.t, p.s
    yield pair_team, pair_site + t, np.ones(pair_team.size, np.int64), pair_cost
    yield np.arange(t, dtype=np.int32), np.full(t, t + s, np.int32), np.ones(t, np.int64), p.penalty  # unassigned
    yield np.arange(t, t + s, dtype=np.int32), np.full(s, t + s, np.int32), p.capacity, np.zeros(s, np.int64)


def _result(p: SiteProblem, teams: np.ndarray, sites: np.ndarray) -> dict[str, Any]:
    """The §7.1 output, its total recomputed from the definitions (not from the solver)."""
    placed = dict(zip(teams.tolist(), sites.tolist(), strict=True))
    assignments = []
    unassigned = []
    total = 0
    for i, team in enumerate(p.teams):
        if i in placed:
            site = p.sites[placed[i]]
            assignments.append({"team": p.team_ids[i], "site": p.site_ids[placed[i]]})
            total += site_cost(team, site)
        else:
            unassigned.append(p.team_ids[i])
            total += unassigned_penalty(team)
    return {"assignments": assignments, "unassigned": unassigned, "total_cost": total}


def greedy_allocate_sites(problem: dict[str, Any]) -> dict[str, Any]:
    """A baseline, for comparison only: teams by descending score (ties in input order) each
    take their cheapest allowed site with a seat left (ties in input order), or stay out when
    none is left or every one costs more than the team's penalty."""
    p = parse_site_problem(problem)
    if p.t == 0:
        return {"assignments": [], "unassigned": [], "total_cost": 0}
    cost = cost_matrix(p).astype(np.float64)
    cost[~allowed_matrix(p)] = np.inf
    seats = p.capacity.copy()
    scores = np.array([-float(team["score"]) for team in p.teams])
    teams: list[int] = []
    sites: list[int] = []
    for i in np.argsort(scores, kind="stable").tolist():
        row = np.where(seats > 0, cost[i], np.inf)
        best = int(np.argmin(row)) if p.s else -1
        if best >= 0 and np.isfinite(row[best]) and row[best] < p.penalty[i]:
            seats[best] -= 1
            teams.append(i)
            sites.append(best)
    return _result(p, np.array(teams, dtype=np.int64), np.array(sites, dtype=np.int64))
