"""Every route of ours has a declared answer for every role.

Each app declares its routes in a test module as `ROUTES` (or `GET_ROUTES` and
`POST_ROUTES`) = {path: {Role: status}} (see tests/test_routes.py); a path may hold
placeholders such as "{own}". This test walks the URL configuration and fails when
a view of ours is missing from every table.
"""

import importlib
import re
from pathlib import Path

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

OUR_APPS = ("accounts", "challenges", "applications", "reviews", "sites", "notifications", "api", "diana_portal")
TESTS = Path(__file__).resolve().parent


def our_route_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= our_route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.callback.__module__.split(".")[0] in OUR_APPS:
            names.add(f"{namespace}{pattern.name}")
    return names


def declared_route_names() -> set[str]:
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        if "ROUTES" not in path.read_text():
            continue
        module = importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
        tables = [getattr(module, name, {}) for name in ("ROUTES", "GET_ROUTES", "POST_ROUTES")]
        for url in (url for table in tables for url in table):
            try:
                match = resolve(re.sub(r"\{\w+\}", "1", url.split("?")[0]))
            except Resolver404:
                continue  # a table may declare what a missing page answers
            names.add(f"{':'.join(match.namespaces)}:{match.url_name}" if match.namespaces else match.url_name)
    return names


def test_every_route_of_ours_declares_each_roles_answer():
    missing = our_route_names() - declared_route_names()

    assert not missing, f"routes with no role table in tests/: {sorted(missing)}"
