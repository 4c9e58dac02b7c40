"""Pure solvers for reviewer assignment and site allocation (DESIGN §7).

Plain Python on plain data: nothing here imports Django or the portal's apps.
"""
