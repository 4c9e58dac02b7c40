"""Pure solvers for reviewer assignment and site allocation (DESIGN §7).

Plain Python on plain data: nothing here imports Django or the portal's apps. Both solvers
are exact min-cost flows (see matching._flow for why), and each has a greedy baseline that
the staff pages and the benchmarks compare against.
"""

from matching.errors import BadInput
from matching.reviewers import assign_reviewers, greedy_assign_reviewers, reviewer_cost
from matching.sites import allocate_sites, greedy_allocate_sites, site_cost, unassigned_penalty

__all__ = [
    "BadInput",
    "allocate_sites",
    "assign_reviewers",
    "greedy_allocate_sites",
    "greedy_assign_reviewers",
    "reviewer_cost",
    "site_cost",
    "unassigned_penalty",
]
