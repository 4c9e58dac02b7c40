"""Reading a problem from a JSON file and writing a result, for the management commands.

Every way a file can be unusable (missing, unreadable, not UTF-8, not JSON, NaN) becomes a
BadInput with one line, so the command can exit 2 without a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matching.errors import BadInput


def _no_constants(token: str) -> Any:
    # json accepts NaN and Infinity by default; they are not JSON and no count or score may be one.
    raise ValueError(f"{token} is not allowed in JSON")


def load_problem(path: str | Path) -> Any:
    try:
        # utf-8-sig: a byte order mark, which some editors add, is skipped (RFC 8259 allows it).
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise BadInput(f"{path} is not valid JSON: nested too deeply") from None


def write_result(path: str | Path, result: dict[str, Any]) -> None:
    """Write the result as JSON; raises BadInput when the file cannot be written."""
    text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # An id read from a "\ud800" escape is a lone surrogate, which UTF-8 cannot hold: write
        # the result with \u escapes instead, so the ids still read back exactly as given.
        data = (json.dumps(result, indent=1) + "\n").encode("ascii")
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
