"""`make run`: migrate, seed the demo, then run web, Celery worker and beat together.

Ctrl-C stops every child, then the embedded servers this command started.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_api_token_renew
from accounts.services import IssuedToken
from challenges.selectors import programme_list_published
from diana_portal import embedded
from diana_portal.env import env_str


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def api_token_banner(port: int, api_token: IssuedToken | None) -> str:
    """The banner's lines about the API: where its documents are and, with the demo, the
    demo ministry's token (issued at this start, shown only here) ready in a curl line."""
    lines = f"  API for Allied ministries: http://127.0.0.1:{port}/api/docs/\n"
    if api_token is not None:
        token = api_token.token
        header = f'-H "Authorization: Bearer {api_token.key}"'
        lines += (
            f"    Demo token of {token.name} (nation {token.nation}), new at each start, "
            f"valid until {token.expires_at:%Y-%m-%d %H:%M} UTC:\n"
            f"    curl {header} http://127.0.0.1:{port}/api/v1/applications/\n"
        )
        if programme := programme_list_published().first():
            lines += f"    curl {header} http://127.0.0.1:{port}/api/v1/programmes/{programme.slug}/stats/\n"
    return lines


class Command(BaseCommand):
    help = "Run the portal with demo data: web server, Celery worker and beat."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-seed", action="store_true", help="Skip seed_demo.")

    def handle(self, *args, port: int, no_seed: bool, **options) -> None:
        self._ensure_port_free(port)
        # Links in messages and e-mails lead to this server, on whatever port it runs:
        # seed_demo renders the demo's welcomes in this process, the children the rest.
        if env_str("PORTAL_URL") is None:
            settings.PORTAL_URL = f"http://127.0.0.1:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        api_token = None
        if not no_seed:
            call_command("seed_demo", stdout=self.stdout)
            api_token = demo_api_token_renew()

        # Children get the resolved URLs, so they reuse the servers started here.
        env = {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "PORTAL_URL": settings.PORTAL_URL,
        }
        python = sys.executable
        bin_dir = os.path.dirname(python)
        commands = {
            "web": [os.path.join(bin_dir, "gunicorn"), "diana_portal.wsgi", "--bind", f"127.0.0.1:{port}",
                    "--workers", "2", "--threads", "4", "--access-logfile", "-", "--log-level", "warning"],
            "worker": [os.path.join(bin_dir, "celery"), "-A", "diana_portal", "worker",
                       "--concurrency", "2", "--loglevel", "INFO"],
            "beat": [os.path.join(bin_dir, "celery"), "-A", "diana_portal", "beat", "--loglevel", "INFO",
                     "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }  # fmt: skip
        children = {
            name: subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR, start_new_session=True)
            for name, cmd in commands.items()
        }
        self._print_banner(port, api_token)
        # Ctrl-C (SIGINT) and a plain kill (SIGTERM) both stop everything cleanly,
        # even where a parent shell started us with SIGINT ignored.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(f"The {name} process exited with status {child.returncode}.")
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
            self.stdout.flush()
        finally:
            self._stop(children)

    def _ensure_port_free(self, port: int) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As gunicorn does: connections from a previous run lingering in TIME_WAIT
            # must not count as "in use"; a listening server still does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise CommandError(
                    f"Port {port} is already in use: stop whatever uses it, or run PORT={port + 1} make run."
                ) from None

    def _print_banner(self, port: int, api_token: IssuedToken | None) -> None:
        logins = "\n".join(f"    {role.label:<20} {email}" for role, email, _name, _nation in DEMO_LOGINS)
        mail_dir = settings.MAILERS["default"].get("OPTIONS", {}).get("file_path", "the console")
        self.stdout.write(
            self.style.SUCCESS(f"\nThe DIANA portal is running at http://127.0.0.1:{port}/\n")
            + f"  Demo logins (password: {DEMO_PASSWORD}):\n{logins}\n"
            + api_token_banner(port, api_token)
            + f"  Outgoing e-mail is written to {mail_dir}\n"
            + "  Press Ctrl-C to stop.\n"
        )

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        connections.close_all()
        # Stop only the servers that are ours: not ones named by the environment.
        if not os.environ.get("DATABASE_URL"):
            embedded.postgres_stop(settings.VAR_DIR)
        if not os.environ.get("REDIS_URL"):
            embedded.redis_stop(settings.VAR_DIR)
        self.stdout.write("Stopped.")
