"""Why the solver placed each team where it did: the words of the result page.

Pure code on DESIGN §7.1's input and output; stored with the run, so the page reads
what the solver saw even after preferences or capacities change.
"""

from collections import Counter
from typing import Any

# Why a team got no preference (or no site): codes, worded by the template.
NO_PREFERENCES = "no_preferences"  # it ranked no site
PREFERENCES_UNAVAILABLE = "preferences_unavailable"  # each ranked site was full or had declined it
NO_SEAT = "no_seat"  # every site open to it is full
NO_SITE_OPEN = "no_site_open"  # every site declined it (or has no capacity at all)


def explain(problem: dict[str, Any], solution: dict[str, Any]) -> dict[str, Any]:
    """Per team: its site, the preference it got, area fit, cost and the reason when it
    got none; per site: capacity and load. Unplaced teams carry their penalty."""
    from matching import site_cost  # the solver's own cost, so the page and total_cost agree

    sites = {site["id"]: site for site in problem["sites"]}
    forbidden = {(team, site) for team, site in problem.get("forbidden", [])}
    placed = {row["team"]: row["site"] for row in solution["assignments"]}
    load = Counter(placed.values())
    full = {site_id for site_id, site in sites.items() if load[site_id] >= site["capacity"]}

    teams = []
    for team in problem["teams"]:
        site_id = placed.get(team["id"])
        entry: dict[str, Any] = {"team": team["id"], "site": site_id, "rank": None, "fit": None, "reason": ""}
        preferences = team["preferences"]
        if site_id is not None:
            site = sites[site_id]
            entry["cost"] = site_cost(team, site)
            entry["fit"] = bool(set(team["areas"]) & set(site["areas"]))
            if site_id in preferences:
                entry["rank"] = preferences.index(site_id) + 1
            else:
                entry["reason"] = NO_PREFERENCES if not preferences else PREFERENCES_UNAVAILABLE
        else:
            entry["cost"] = 1000 + round(team["score"])
            open_sites = [s for s in sites if (team["id"], s) not in forbidden and sites[s]["capacity"] > 0]
            entry["reason"] = NO_SEAT if open_sites else NO_SITE_OPEN
        # Each site it ranked higher than the one it got (or any, unplaced): why not there.
        higher = preferences[: preferences.index(site_id)] if site_id in preferences else preferences
        entry["missed"] = [{"site": ranked, "why": _why_not(team, ranked, sites, forbidden, full)} for ranked in higher]
        teams.append(entry)
    return {
        "teams": teams,
        "sites": [
            {"site": site_id, "capacity": site["capacity"], "load": load[site_id]} for site_id, site in sites.items()
        ],
    }


def _why_not(team: dict, site_id: str, sites: dict, forbidden: set, full: set) -> str:
    if (team["id"], site_id) in forbidden:
        return "declined"
    if site_id in full:
        return "full"
    # It had room and allowed the team: the solver chose a cheaper place overall, which
    # only an area mismatch here (200) can outweigh.
    return "fit"
