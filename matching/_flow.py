"""Helpers both solvers share: area overlap in one matrix product, and a min-cost-flow run
from arc arrays.

Why OR-Tools' SimpleMinCostFlow: both problems are transportation problems with integral
capacities and integral costs, so the network's constraint matrix is totally unimodular and
the min-cost flow optimum is integral: the flow *is* an optimal 0/1 assignment, with no
rounding and no branch and bound. OR-Tools solves it with a cost-scaling push-relabel
algorithm in C++ and takes whole numpy arrays of arcs, so Python never loops per arc.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

Progress = Callable[[float], None] | None


def report(progress: Progress, fraction: float) -> None:
    if progress is not None:
        progress(fraction)


def shared_areas(rows: Sequence[frozenset[Hashable]], cols: Sequence[frozenset[Hashable]]) -> np.ndarray:
    """shared[i, j] = |rows[i] ∩ cols[j]|, as an int64 matrix.

    Only areas present on both sides can be shared, so the incidence matrices have one
    column per such area. The product runs in float32 BLAS: counts are small integers,
    exact in float32 far beyond any real number of areas (2**24).
    """
    common = sorted(set().union(*rows) & set().union(*cols), key=repr) if rows and cols else []
    position = {area: i for i, area in enumerate(common)}
    left = np.zeros((len(rows), len(common)), dtype=np.float32)
    right = np.zeros((len(cols), len(common)), dtype=np.float32)
    for matrix, sets in ((left, rows), (right, cols)):
        r_idx = [i for i, areas in enumerate(sets) for a in areas if a in position]
        c_idx = [position[a] for areas in sets for a in areas if a in position]
        matrix[r_idx, c_idx] = 1.0
    return np.rint(left @ right.T).astype(np.int64)


def solve_min_cost_flow(
    num_nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    capacities: np.ndarray,
    costs: np.ndarray,
    supplies: np.ndarray,
) -> tuple[bool, np.ndarray, int]:
    """Solve; return (feasible, flow per arc in the order given, optimal cost)."""
    flow = min_cost_flow.SimpleMinCostFlow()
    if tails.size:
        flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32, copy=False),
            heads.astype(np.int32, copy=False),
            capacities.astype(np.int64, copy=False),
            costs.astype(np.int64, copy=False),
        )
    nodes = np.arange(num_nodes, dtype=np.int32)
    flow.set_nodes_supplies(nodes, supplies.astype(np.int64, copy=False))
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return False, np.zeros(tails.size, dtype=np.int64), 0
    if status != flow.OPTIMAL:
        # BAD_COST_RANGE, BAD_CAPACITY_RANGE, ...: the validators keep numbers small, so this is a bug.
        raise RuntimeError(f"min-cost flow solver returned {status.name}")
    flows = flow.flows(np.arange(tails.size, dtype=np.int32)) if tails.size else np.zeros(0, np.int64)
    return True, np.asarray(flows, dtype=np.int64), int(flow.optimal_cost())
