"""Strict readers for the JSON problems of DESIGN §7: each returns a clean value or raises
BadInput with one line that says where the problem is (``teams[3] ("T4"): capacity ...``).

JSON gives us dicts, lists, str, int, float, bool and None; ``bool`` is a subclass of ``int`` in
Python, so every integer check rules it out explicitly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from typing import Any

from matching.errors import BadInput

# Scores are 0..100 in practice; the bound keeps 1000 + round(score) summed over any realistic
# number of teams far inside the solver's int64 costs.
MAX_ABS_SCORE = 1e9


def name(value: Any) -> str:
    """An id as it reads in a message: bare when it is plain text, JSON-quoted otherwise
    (so a message stays on one line whatever the id holds)."""
    if isinstance(value, str) and value and value.isprintable() and not any(c.isspace() for c in value):
        return value
    return json.dumps(value, ensure_ascii=False)


def names(values: list[Any]) -> str:
    return ", ".join(name(v) for v in values)


def describe(value: Any) -> str:
    """A short description of a bad value for a message."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 40 else text[:37] + "..."


def as_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(f"{where} must be a JSON object, got {describe(value)}")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(f"{where} must be a list, got {describe(value)}")
    return value


def required(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise BadInput(f"{where} has no {key!r}")
    return obj[key]


def as_id(value: Any, where: str) -> Hashable:
    """Ids are non-empty strings (the contract's examples) or integers, kept as given."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadInput(f"{where} must be a string or an integer, got {describe(value)}")
    if value == "":
        raise BadInput(f"{where} must not be empty")
    return value


def as_count(value: Any, where: str) -> int:
    """A non-negative integer. 6.0 is accepted as 6 (JSON does not distinguish them); 2.5 is not."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{where} must be a non-negative integer, got {describe(value)}")
    if value < 0:
        raise BadInput(f"{where} must be a non-negative integer, got {value}")
    return value


def as_score(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{where} must be a number, got {describe(value)}")
    if not math.isfinite(value) or abs(value) > MAX_ABS_SCORE:
        raise BadInput(f"{where} must be a finite number between -1e9 and 1e9, got {describe(value)}")
    return value


def as_areas(obj: dict[str, Any], where: str) -> frozenset[Hashable]:
    """Areas are a set: a missing list means none, a repeated area counts once."""
    value = as_list(obj.get("areas", []), f"{where}: areas")
    for i, area in enumerate(value):
        if isinstance(area, bool) or not isinstance(area, str | int):
            raise BadInput(f"{where}: areas[{i}] must be a string, got {describe(area)}")
    return frozenset(value)


def as_organisation(obj: dict[str, Any], where: str) -> Hashable:
    """An organisation is a string (or integer) id; missing, null and "" all mean none."""
    value = obj.get("organisation")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadInput(f"{where}: organisation must be a string, got {describe(value)}")
    return value


def records(problem: dict[str, Any], key: str) -> list[tuple[Hashable, dict[str, Any], str]]:
    """problem[key] as (id, record, where) triples; ids must be unique within the list."""
    items = as_list(required(problem, key, "the problem"), key)
    out: list[tuple[Hashable, dict[str, Any], str]] = []
    seen: set[Hashable] = set()
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        obj = as_object(item, where)
        ident = as_id(required(obj, "id", where), f"{where}: id")
        # 1 and "1" are different ids in JSON; key on the type too so they stay apart.
        token = (type(ident).__name__, ident)
        if token in seen:
            raise BadInput(f"{key} has the id {name(ident)} twice")
        seen.add(token)
        out.append((ident, obj, f"{where} ({name(ident)})"))
    return out


def index_of(ids: list[Hashable]) -> dict[tuple[str, Hashable], int]:
    return {(type(v).__name__, v): i for i, v in enumerate(ids)}


def lookup(index: dict[tuple[str, Hashable], int], value: Any, where: str, kind: str) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadInput(f"{where} must be a {kind} id, got {describe(value)}")
    position = index.get((type(value).__name__, value))
    if position is None:
        raise BadInput(f"{where} names unknown {kind} {name(value)}")
    return position


def pairs(
    problem: dict[str, Any],
    key: str,
    first: tuple[str, dict[tuple[str, Hashable], int]],
    second: tuple[str, dict[tuple[str, Hashable], int]],
) -> list[tuple[int, int]]:
    """problem[key] (optional) as index pairs, e.g. conflicts as [reviewer id, application id]."""
    items = as_list(problem.get(key, []), key)
    out = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, list) or len(item) != 2:
            raise BadInput(f"{where} must be a pair [{first[0]} id, {second[0]} id], got {describe(item)}")
        out.append(
            (lookup(first[1], item[0], f"{where}[0]", first[0]), lookup(second[1], item[1], f"{where}[1]", second[0]))
        )
    return out
