"""matching is pure (DESIGN §3): importing it loads neither Django nor any app of ours."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ["django", "accounts", "challenges", "applications", "reviews", "sites", "notifications", "api", "diana_portal"]


def test_importing_matching_loads_no_django_and_none_of_our_apps():
    code = (
        "import sys, matching, matching.jsonio; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({OURS!r})))"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout == "[]\n"
