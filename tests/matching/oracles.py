"""Independent references for the solvers' tests, written from DESIGN §7 alone.

Nothing here uses matching's code: the costs are transcribed again from the contract, the
brute force enumerates every assignment, and the linear programmes (OR-Tools' GLOP, a
simplex solver, not a flow algorithm) are formulated from the constraints, not from the
solver's graph. Both LPs have totally unimodular constraint matrices, so their optimum is
the integral optimum.
"""

from __future__ import annotations

import itertools
from typing import Any

from ortools.linear_solver import pywraplp


def cost_reviewer(app: dict[str, Any], reviewer: dict[str, Any]) -> int:
    """§7.2: 100 if their areas share nothing, else 10 x (a's areas that r does not cover)."""
    a_areas, r_areas = set(app.get("areas", [])), set(reviewer.get("areas", []))
    if not a_areas & r_areas:
        return 100
    return 10 * len(a_areas - r_areas)


def conflicted(problem: dict[str, Any], app: dict[str, Any], reviewer: dict[str, Any]) -> bool:
    """§7.2: listed in conflicts, or the same non-empty organisation."""
    if [reviewer["id"], app["id"]] in problem.get("conflicts", []):
        return True
    org = reviewer.get("organisation") or ""
    return org != "" and org == (app.get("organisation") or "")


def cost_site(team: dict[str, Any], site: dict[str, Any]) -> int:
    """§7.1: preference (50 with none, 10·rank if listed, else 100) + 200 when areas share nothing."""
    prefs = team.get("preferences", [])
    cost = 50 if not prefs else (10 * prefs.index(site["id"]) if site["id"] in prefs else 100)
    return cost + (0 if set(team.get("areas", [])) & set(site.get("areas", [])) else 200)


def penalty(team: dict[str, Any]) -> int:
    return 1000 + round(team["score"])


# --- checks of a solver's answer against the contract -------------------------------------


def check_reviewer_assignment(problem: dict[str, Any], result: dict[str, Any]) -> int:
    """Assert the assignment obeys every §7.2 constraint; return its cost from the definition."""
    apps = {a["id"]: a for a in problem["applications"]}
    revs = {r["id"]: r for r in problem["reviewers"]}
    k = problem["reviewers_per_application"]
    pairs = [(x["application"], x["reviewer"]) for x in result["assignments"]]
    assert len(pairs) == len(set(pairs)), "a reviewer twice on one application"
    for app_id in apps:
        assert sum(1 for a, _ in pairs if a == app_id) == k, app_id
    for rev_id, rev in revs.items():
        assert sum(1 for _, r in pairs if r == rev_id) <= rev["max_load"], rev_id
    for a, r in pairs:
        assert not conflicted(problem, apps[a], revs[r]), (a, r)
    total = sum(cost_reviewer(apps[a], revs[r]) for a, r in pairs)
    assert result["total_cost"] == total
    return total


def check_site_allocation(problem: dict[str, Any], result: dict[str, Any]) -> int:
    """Assert the allocation obeys every §7.1 constraint; return its cost from the definition."""
    teams = {t["id"]: t for t in problem["teams"]}
    sites = {s["id"]: s for s in problem["sites"]}
    placed = [x["team"] for x in result["assignments"]]
    assert len(placed) == len(set(placed)), "a team at two sites"
    assert set(placed) | set(result["unassigned"]) == set(teams)
    assert not set(placed) & set(result["unassigned"])
    for site_id, site in sites.items():
        assert sum(1 for x in result["assignments"] if x["site"] == site_id) <= site["capacity"], site_id
    forbidden = problem.get("forbidden", [])
    for x in result["assignments"]:
        assert [x["team"], x["site"]] not in forbidden, x
    total = sum(cost_site(teams[x["team"]], sites[x["site"]]) for x in result["assignments"])
    total += sum(penalty(teams[t]) for t in result["unassigned"])
    assert result["total_cost"] == total
    return total


# --- brute force ---------------------------------------------------------------------------


def brute_force_reviewers(problem: dict[str, Any]) -> int | None:
    """The minimal total cost over every assignment, or None when none exists."""
    k = problem["reviewers_per_application"]
    revs = problem["reviewers"]
    choices = []
    for app in problem["applications"]:
        ok = [i for i, r in enumerate(revs) if not conflicted(problem, app, r)]
        choices.append([(c, sum(cost_reviewer(app, revs[i]) for i in c)) for c in itertools.combinations(ok, k)])
    best = None
    for combo in itertools.product(*choices):
        load = [0] * len(revs)
        for chosen, _ in combo:
            for i in chosen:
                load[i] += 1
        if all(load[i] <= r["max_load"] for i, r in enumerate(revs)):
            total = sum(cost for _, cost in combo)
            best = total if best is None else min(best, total)
    return best


def brute_force_sites(problem: dict[str, Any]) -> int:
    """The minimal total cost over every allocation (a team may always stay out)."""
    teams, sites = problem["teams"], problem["sites"]
    forbidden = problem.get("forbidden", [])
    best = None
    for combo in itertools.product([None, *range(len(sites))], repeat=len(teams)):
        seats = [0] * len(sites)
        total = 0
        for team, s in zip(teams, combo, strict=True):
            if s is None:
                total += penalty(team)
                continue
            if [team["id"], sites[s]["id"]] in forbidden:
                break
            seats[s] += 1
            total += cost_site(team, sites[s])
        else:
            if all(seats[i] <= site["capacity"] for i, site in enumerate(sites)):
                best = total if best is None else min(best, total)
    assert best is not None  # everyone unassigned is always allowed
    return best


# --- linear programmes ---------------------------------------------------------------------


def lp_reviewers(problem: dict[str, Any]) -> int | None:
    """min Σ c·x  s.t.  Σ_r x[a,r] = k,  Σ_a x[a,r] <= max_load,  0 <= x <= 1 on unconflicted pairs."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    k = problem["reviewers_per_application"]
    x = {}
    for a, app in enumerate(problem["applications"]):
        for r, rev in enumerate(problem["reviewers"]):
            if not conflicted(problem, app, rev):
                x[a, r] = (solver.NumVar(0, 1, f"x{a}_{r}"), cost_reviewer(app, rev))
    for a in range(len(problem["applications"])):
        solver.Add(sum(v for (i, _), (v, _) in x.items() if i == a) == k)
    for r, rev in enumerate(problem["reviewers"]):
        solver.Add(sum(v for (_, j), (v, _) in x.items() if j == r) <= rev["max_load"])
    solver.Minimize(sum(c * v for v, c in x.values()))
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    assert status == pywraplp.Solver.OPTIMAL
    return round(solver.Objective().Value())


def lp_sites(problem: dict[str, Any]) -> int:
    """min Σ c·x + Σ penalty·u  s.t.  Σ_s x[t,s] + u[t] = 1,  Σ_t x[t,s] <= capacity, no forbidden pair."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    forbidden = problem.get("forbidden", [])
    objective = []
    per_site: dict[int, list[Any]] = {}
    for t, team in enumerate(problem["teams"]):
        out = solver.NumVar(0, 1, f"u{t}")
        objective.append(penalty(team) * out)
        row = [out]
        for s, site in enumerate(problem["sites"]):
            if [team["id"], site["id"]] not in forbidden:
                v = solver.NumVar(0, 1, f"x{t}_{s}")
                objective.append(cost_site(team, site) * v)
                row.append(v)
                per_site.setdefault(s, []).append(v)
        solver.Add(sum(row) == 1)
    for s, site in enumerate(problem["sites"]):
        if per_site.get(s):
            solver.Add(sum(per_site[s]) <= site["capacity"])
    solver.Minimize(sum(objective))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return round(solver.Objective().Value())
