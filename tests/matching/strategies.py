"""Hypothesis strategies for small §7 problems, drawn from few areas and organisations so that
overlaps, conflicts, ties and shortages all happen often."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

AREAS = ["ai", "quantum", "space", "biotech"]
ORGS = ["", "", "org1", "org2"]

areas = st.lists(st.sampled_from(AREAS), max_size=3, unique=True)


@st.composite
def reviewer_problems(
    draw: Any, max_apps: int = 3, max_reviewers: int = 4, max_k: int = 2, loads: tuple[int, int] = (0, 3)
) -> dict[str, Any]:
    n = draw(st.integers(0, max_apps))
    m = draw(st.integers(0, max_reviewers))
    apps = [
        {"id": f"A{i}", "nation": "PL", "organisation": draw(st.sampled_from(ORGS)), "areas": draw(areas)}
        for i in range(n)
    ]
    revs = [
        {
            "id": f"R{j}",
            "nation": "FR",
            "organisation": draw(st.sampled_from(ORGS)),
            "areas": draw(areas),
            "max_load": draw(st.integers(*loads)),
        }
        for j in range(m)
    ]
    all_pairs = [[r["id"], a["id"]] for r in revs for a in apps]
    conflicts = draw(st.lists(st.sampled_from(all_pairs), max_size=3)) if all_pairs else []
    return {
        "reviewers_per_application": draw(st.integers(0, max_k)),
        "applications": apps,
        "reviewers": revs,
        "conflicts": conflicts,
    }


@st.composite
def rankings(draw: Any, site_ids: list[str]) -> list[str]:
    ranked = draw(st.permutations(site_ids))[: draw(st.integers(0, len(site_ids)))]
    if ranked and draw(st.booleans()):
        # A site listed twice keeps its first position (§7.1: "s is at position r").
        ranked.insert(draw(st.integers(0, len(ranked))), draw(st.sampled_from(ranked)))
    return ranked


@st.composite
def site_problems(draw: Any, max_teams: int = 4, max_sites: int = 3) -> dict[str, Any]:
    t = draw(st.integers(0, max_teams))
    s = draw(st.integers(0, max_sites))
    site_ids = [f"S{j}" for j in range(s)]
    sites = [{"id": sid, "nation": "DK", "areas": draw(areas), "capacity": draw(st.integers(0, 2))} for sid in site_ids]
    # Scores with halves, so that round()'s ties to even are exercised; and, rarely, scores so
    # negative that staying out is cheaper than a seat (the contract allows any number).
    scores = st.one_of(
        st.integers(0, 100),
        st.integers(0, 200).map(lambda x: x / 2),
        st.floats(0, 100),
        st.integers(-2400, -1800).map(lambda x: x / 2),
    )
    teams = [
        {
            "id": f"T{i}",
            "nation": "EE",
            "areas": draw(areas),
            "score": draw(scores),
            "preferences": draw(rankings(site_ids)),
        }
        for i in range(t)
    ]
    all_pairs = [[team["id"], site["id"]] for team in teams for site in sites]
    forbidden = draw(st.lists(st.sampled_from(all_pairs), max_size=3)) if all_pairs else []
    return {"teams": teams, "sites": sites, "forbidden": forbidden}
