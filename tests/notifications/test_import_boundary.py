"""notifications is infrastructure below the domain apps (DESIGN §3): of our own code
it imports only accounts and itself, so any domain app can use it and it knows none."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"accounts", "notifications"}
# Our own top-level modules: every package or module at the repository's root.
OURS = {path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file()} | {
    path.stem for path in ROOT.glob("*.py")
}


def own_imports(source: str) -> set[str]:
    """The top-level names of our own modules that `source` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside notifications.
            names = ["notifications"] if node.level else [node.module or ""]
        else:
            continue
        found |= {name.partition(".")[0] for name in names} & OURS
    return found


def test_the_checker_sees_domain_imports_at_any_depth():
    source = (
        "import applications.models\n"
        "from reviews import services\n"
        "def f():\n"
        "    from diana_portal.settings import DEBUG\n"
        "from . import enums\n"
        "import django.db, accounts.models\n"
    )

    assert own_imports(source) == {"applications", "reviews", "diana_portal", "notifications", "accounts"}


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "notifications").rglob("*.py")),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_notifications_imports_only_accounts_and_itself(path):
    imported = own_imports(path.read_text())

    assert imported <= ALLOWED, f"{path.relative_to(ROOT)} imports {sorted(imported - ALLOWED)}"
