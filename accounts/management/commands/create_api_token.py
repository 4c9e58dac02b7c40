"""Issue a ministry's API token from the command line (DESIGN §9).

    python manage.py create_api_token --nation PL --name "Polish MoD" [--days 90]

Prints the token once: only its hash is kept, so it cannot be shown again.
Bad arguments get one line on stderr and exit status 2.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.services import API_TOKEN_DAYS_DEFAULT, ApiTokenError, api_token_issue

USAGE = 'give --nation (e.g. PL) and --name (e.g. "Polish MoD"), and optionally --days'


class Command(BaseCommand):
    help = "Issue a bearer token for an Allied ministry's read-only API access, and print it once."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str):
            # argparse would print its usage too: one line is what a script's log needs.
            sys.stderr.write(f"CommandError: {message} ({USAGE}).\n")
            sys.exit(2)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser) -> None:
        # Checked here rather than by argparse, so that every mistake gets one line and status 2.
        parser.add_argument("--nation", default="", help="The Ally's two-letter code, e.g. PL.")
        parser.add_argument("--name", default="", help='Who holds the token, e.g. "Polish MoD".')
        parser.add_argument("--days", default=str(API_TOKEN_DAYS_DEFAULT), help="Days until it expires (default 90).")

    def handle(self, *args, nation: str, name: str, days: str, **options) -> None:
        if not nation or not name:
            raise CommandError(f"Missing argument: {USAGE}.", returncode=2)
        if not days.strip().isdigit():
            raise CommandError(f"--days must be a whole number of days, not {days!r}.", returncode=2)
        try:
            issued = api_token_issue(nation=nation, name=name, days=int(days), by=None)
        except ApiTokenError as error:
            raise CommandError(str(error), returncode=2) from None
        token = issued.token
        self.stderr.write(
            f"Token {token.prefix}… for {token.name} ({token.nation}), "
            f"valid until {token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only this once:"
        )
        self.stdout.write(issued.key)
