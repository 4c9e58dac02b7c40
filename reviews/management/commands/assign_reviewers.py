"""`manage.py assign_reviewers --input problem.json --output result.json` (DESIGN §7.2, §7.3).

Thin: read the JSON problem, run the optimal solver, write the JSON result. Exit 2 with one
line on stderr for a bad or unreadable input; exit 3, after writing
{"feasible": false, "reason": ...}, when no assignment exists.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import BadInput, assign_reviewers
from matching.jsonio import load_problem, write_result

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3


class Command(BaseCommand):
    help = "Assign reviewers to applications optimally (DESIGN §7.2) from a JSON problem file."
    # Pure computation on files: no database, so no system checks that would need one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="the problem, as JSON (DESIGN §7.2)")
        parser.add_argument("--output", required=True, help="where to write the result, as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = assign_reviewers(load_problem(options["input"]))
            if result["feasible"]:
                write_result(options["output"], result)
            else:
                # The contract's keys only; "uncovered" stays in the Python API.
                write_result(options["output"], {"feasible": False, "reason": result["reason"]})
        except BadInput as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        if not result["feasible"]:
            raise CommandError(f"no assignment exists: {result['reason']}", returncode=EXIT_INFEASIBLE)
        self.stdout.write(
            f"Assigned {len(result['assignments'])} reviews, total cost {result['total_cost']}: {options['output']}"
        )
