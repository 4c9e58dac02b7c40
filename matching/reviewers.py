"""Reviewer assignment, DESIGN §7.2: every application gets exactly k distinct, unconflicted
reviewers, no reviewer exceeds max_load, and the total cost is minimal.

As a min-cost flow (why OR-Tools' SimpleMinCostFlow: see matching._flow):

    source --(cap k, cost 0)--> application --(cap 1, cost c(a, r))--> reviewer --(cap max_load, cost 0)--> sink

with a supply of k·|applications| at the source. An application-reviewer arc exists only
for an unconflicted pair, and its capacity of 1 makes the k reviewers distinct. The
constraint matrix is totally unimodular, so the optimal flow is integral: each arc carrying
one unit is one assignment. Every arc is kept (no pruning), so the optimum is the optimum of
the whole problem, not of a heuristic subset.

When no assignment exists the result names the applications that cannot be covered:
- those with fewer than k unconflicted reviewers (with any load at all): no assignment can
  ever cover them;
- with those set aside, the ones the reviewers' loads cannot all serve. A maximum flow then
  falls short, and we name the applications on the source side of its minimum cut: exactly
  the applications that are left short in some maximum assignment, i.e. those competing for
  the reviewers whose load runs out. That set is the same for every maximum flow, so the
  answer does not depend on how the solver breaks ties.
Both kinds are named, each with its reason, so that mending the first kind does not simply
reveal the second.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching import _input as inp
from matching._flow import Arcs, Progress, report, shared_areas, solve_min_cost_flow, source_side_of_min_cut

NO_SHARED_AREA_COST = 100
MISSED_AREA_COST = 10
LOAD_TOO_SMALL = "too little max_load among the reviewers they may have"


def reviewer_cost(application_areas: Collection[Hashable], reviewer_areas: Collection[Hashable]) -> int:
    """DESIGN §7.2: 100 if the areas share nothing, else 10 x (a's areas that r does not cover).

    An application with no areas shares nothing with anyone, so it costs 100 everywhere.
    """
    app = set(application_areas)
    covered = len(app & set(reviewer_areas))
    if covered == 0:
        return NO_SHARED_AREA_COST
    return MISSED_AREA_COST * (len(app) - covered)


@dataclass(frozen=True)
class ReviewerProblem:
    k: int
    app_ids: list[Hashable]
    app_areas: list[frozenset[Hashable]]
    app_orgs: list[Hashable]
    rev_ids: list[Hashable]
    rev_areas: list[frozenset[Hashable]]
    rev_orgs: list[Hashable]
    max_load: np.ndarray  # int64, one per reviewer
    conflicts: list[tuple[int, int]]  # (application index, reviewer index)

    @property
    def n(self) -> int:
        return len(self.app_ids)

    @property
    def m(self) -> int:
        return len(self.rev_ids)


def parse_reviewer_problem(problem: Any) -> ReviewerProblem:
    """Check the §7.2 input and return it in index form; raises BadInput naming the problem."""
    problem = inp.as_object(problem, "the problem")
    k = inp.as_count(inp.required(problem, "reviewers_per_application", "the problem"), "reviewers_per_application")
    apps = inp.records(problem, "applications")
    revs = inp.records(problem, "reviewers")
    # A reviewer never takes more than every application once: clipping keeps the solver's
    # capacities small whatever the input says, and changes nothing.
    max_load = [
        min(inp.as_count(inp.required(obj, "max_load", where), f"{where}: max_load"), len(apps))
        for _, obj, where in revs
    ]
    app_index = inp.index_of([ident for ident, _, _ in apps])
    rev_index = inp.index_of([ident for ident, _, _ in revs])
    conflicts = inp.pairs(problem, "conflicts", ("reviewer", rev_index), ("application", app_index))
    return ReviewerProblem(
        k=k,
        app_ids=[ident for ident, _, _ in apps],
        app_areas=[inp.as_areas(obj, where) for _, obj, where in apps],
        app_orgs=[inp.as_organisation(obj, where) for _, obj, where in apps],
        rev_ids=[ident for ident, _, _ in revs],
        rev_areas=[inp.as_areas(obj, where) for _, obj, where in revs],
        rev_orgs=[inp.as_organisation(obj, where) for _, obj, where in revs],
        max_load=np.asarray(max_load, dtype=np.int64).reshape(-1),
        conflicts=[(a, r) for r, a in conflicts],
    )


def cost_matrix(p: ReviewerProblem) -> np.ndarray:
    """cost[a, r] for every pair (int32, |applications| x |reviewers|), vectorised."""
    covered = shared_areas(p.app_areas, p.rev_areas)
    sizes = np.fromiter((len(a) for a in p.app_areas), dtype=np.int32, count=p.n)
    return np.where(covered == 0, NO_SHARED_AREA_COST, MISSED_AREA_COST * (sizes[:, None] - covered))


def allowed_matrix(p: ReviewerProblem) -> np.ndarray:
    """allowed[a, r]: the pair is unconflicted and r can take any review at all."""
    codes: dict[tuple[str, Hashable], int] = {}  # organisation -> code; 0 means none
    app_org = np.array([_org_code(codes, o) for o in p.app_orgs], dtype=np.int64)
    rev_org = np.array([_org_code(codes, o) for o in p.rev_orgs], dtype=np.int64)
    same_org = (app_org[:, None] == rev_org[None, :]) & (app_org[:, None] != 0)
    allowed = ~same_org & (p.max_load > 0)[None, :]
    if p.conflicts:
        a_idx, r_idx = np.array(p.conflicts, dtype=np.int64).T
        allowed[a_idx, r_idx] = False
    return allowed


def _org_code(codes: dict[tuple[str, Hashable], int], org: Hashable) -> int:
    if org == "":
        return 0
    return codes.setdefault((type(org).__name__, org), len(codes) + 1)


def assign_reviewers(problem: dict[str, Any], *, progress: Progress = None) -> dict[str, Any]:
    """Optimal reviewer assignment for a §7.2 problem (raises BadInput).

    Returns {"feasible": True, "assignments": [...], "total_cost": int}, assignments in input
    order of applications then reviewers; or {"feasible": False, "reason": str, "uncovered": [ids]}.
    """
    p = parse_reviewer_problem(problem)
    report(progress, 0.2)
    if p.k == 0 or p.n == 0:
        report(progress, 1.0)
        return {"feasible": True, "assignments": [], "total_cost": 0}

    allowed = allowed_matrix(p)
    lacking = np.flatnonzero(allowed.sum(axis=1) < p.k)
    if lacking.size:
        # Nothing can cover these; the others may still be short of load without them.
        allowed[lacking] = False
        # min(): k may be any integer, and a k above the number of reviewers leaves no one else.
        demand = np.full(p.n, min(p.k, p.m), np.int64)
        demand[lacking] = 0
        pair_app, pair_rev, pair_cost = _pairs(allowed, p.m, np.zeros(allowed.shape, np.int32))
        short = _short_of_load(p, pair_app, pair_rev, pair_cost, demand)
        report(progress, 1.0)
        return _infeasible(p, lacking, short)

    # One arc per unconflicted pair, row-major: in input order of applications, then reviewers.
    pair_app, pair_rev, pair_cost = _pairs(allowed, p.m, cost_matrix(p))
    del allowed
    n, m = p.n, p.m
    demand = np.full(n, p.k, np.int64)
    supplies = np.zeros(n + m + 2, np.int64)
    supplies[0], supplies[-1] = p.k * n, -p.k * n

    feasible, flows, optimal = solve_min_cost_flow(
        n + m + 2, _arcs(p, pair_app, pair_rev, pair_cost, demand), supplies, on_built=lambda: report(progress, 0.5)
    )
    report(progress, 0.9)
    if not feasible:
        short = _short_of_load(p, pair_app, pair_rev, pair_cost, demand)
        report(progress, 1.0)
        return _infeasible(p, np.zeros(0, np.int64), short)

    chosen = np.flatnonzero(flows[: pair_app.size] > 0)
    result = _result(p, pair_app[chosen], pair_rev[chosen])
    if result["total_cost"] != optimal:
        raise RuntimeError(f"recomputed cost {result['total_cost']} differs from the solver's {optimal}")
    report(progress, 1.0)
    return result


def _result(p: ReviewerProblem, apps: np.ndarray, revs: np.ndarray) -> dict[str, Any]:
    """The §7.2 output, its total recomputed pair by pair from the definition (not the solver)."""
    assignments = []
    total = 0
    for a, r in zip(apps.tolist(), revs.tolist(), strict=True):
        assignments.append({"application": p.app_ids[a], "reviewer": p.rev_ids[r]})
        total += reviewer_cost(p.app_areas[a], p.rev_areas[r])
    return {"feasible": True, "assignments": assignments, "total_cost": total}


def _pairs(allowed: np.ndarray, m: int, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(application, reviewer, cost) of every allowed pair, row-major: in input order of
    applications, then reviewers."""
    pairs = np.flatnonzero(allowed)
    return (pairs // m).astype(np.int32), (pairs % m).astype(np.int32), cost.ravel()[pairs]


def _short_of_load(
    p: ReviewerProblem, pair_app: np.ndarray, pair_rev: np.ndarray, pair_cost: np.ndarray, demand: np.ndarray
) -> np.ndarray:
    """The applications that some maximum assignment leaves short (none when every demand can
    be met): those on the source side of a minimum cut."""
    n, m = p.n, p.m
    side = source_side_of_min_cut(n + m + 2, _arcs(p, pair_app, pair_rev, pair_cost, demand), 0, n + m + 1)
    return side[(side >= 1) & (side <= n)] - 1


def _arcs(
    p: ReviewerProblem, pair_app: np.ndarray, pair_rev: np.ndarray, pair_cost: np.ndarray, demand: np.ndarray
) -> Iterator[Arcs]:
    """The network's arcs, pair arcs first (so that arc i is pair i). Nodes: the source 0,
    applications 1..n (each taking up to its demand), reviewers n+1..n+m, the sink n+m+1."""
    n, m = p.n, p.m
    yield pair_app + 1, pair_rev + (n + 1), np.ones(pair_app.size, np.int64), pair_cost
    yield np.zeros(n, np.int32), np.arange(1, n + 1, dtype=np.int32), demand, np.zeros(n, np.int64)
    yield (
        np.arange(n + 1, n + m + 1, dtype=np.int32),
        np.full(m, n + m + 1, np.int32),
        p.max_load,
        np.zeros(m, np.int64),
    )


def _infeasible(
    p: ReviewerProblem, lacking: np.ndarray, short: np.ndarray, why_short: str = LOAD_TOO_SMALL
) -> dict[str, Any]:
    """The answer naming the applications with too few candidates (lacking) and, with those
    set aside, the ones the loads cannot all serve (short), each group with its reason."""
    groups = []
    if lacking.size:
        lack = "no unconflicted reviewer" if p.k == 1 else f"fewer than {p.k} unconflicted reviewers"
        groups.append(f"{inp.names([p.app_ids[a] for a in lacking.tolist()])} ({lack} with any max_load)")
    if short.size:
        groups.append(f"{inp.names([p.app_ids[a] for a in short.tolist()])} ({why_short})")
    ids = [p.app_ids[a] for a in sorted(lacking.tolist() + short.tolist())]
    # "cannot all" when some of them could be covered, only not all at once; it reads oddly for one.
    cannot = "cannot all" if short.size and len(ids) > 1 else "cannot"
    noun = "application" if len(ids) == 1 else "applications"
    each = "reviewer each" if p.k == 1 else "reviewers each"
    reason = f"{len(ids)} {noun} {cannot} be covered by {p.k} {each}: {'; '.join(groups)}"
    return {"feasible": False, "reason": reason, "uncovered": ids}


def greedy_assign_reviewers(problem: dict[str, Any]) -> dict[str, Any]:
    """A baseline, for comparison only: applications in input order each take their k cheapest
    unconflicted reviewers that still have load (ties in input order). Never better than
    assign_reviewers, and it may fail where an assignment exists."""
    p = parse_reviewer_problem(problem)
    if p.k == 0 or p.n == 0:
        return {"feasible": True, "assignments": [], "total_cost": 0}
    cost = cost_matrix(p).astype(np.float64)
    cost[~allowed_matrix(p)] = np.inf
    load = p.max_load.copy()
    apps: list[int] = []
    revs: list[int] = []
    uncovered: list[int] = []
    for a in range(p.n):
        row = np.where(load > 0, cost[a], np.inf)
        best = np.argsort(row, kind="stable")[: p.k]
        best = best[np.isfinite(row[best])]
        if best.size < p.k:
            uncovered.append(a)
            continue
        load[best] -= 1
        apps.extend([a] * p.k)
        revs.extend(sorted(best.tolist()))
    if uncovered:
        return _infeasible(p, np.zeros(0, np.int64), np.array(uncovered), "greedy ran out of free reviewers")
    return _result(p, np.array(apps, dtype=np.int64), np.array(revs, dtype=np.int64))
