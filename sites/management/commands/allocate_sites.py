"""`manage.py allocate_sites --input problem.json --output result.json` (DESIGN §7.1, §7.3).

Thin: read the JSON problem, run the optimal solver, write the JSON result. Exit 2 with one
line on stderr for a bad or unreadable input. Every problem has an allocation (a team may
stay unassigned at its penalty), so there is no infeasible exit.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import BadInput, allocate_sites
from matching.jsonio import load_problem, write_result

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Allocate teams to accelerator sites optimally (DESIGN §7.1) from a JSON problem file."
    # Pure computation on files: no database, so no system checks that would need one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="the problem, as JSON (DESIGN §7.1)")
        parser.add_argument("--output", required=True, help="where to write the result, as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = allocate_sites(load_problem(options["input"]))
            write_result(options["output"], result)
        except BadInput as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        self.stdout.write(
            f"Teams placed: {len(result['assignments'])}, unassigned: {len(result['unassigned'])}, "
            f"total cost {result['total_cost']}: {options['output']}"
        )
