"""`make run` end to end: `manage.py runportal` migrates and seeds a database, serves the
portal through gunicorn with a Celery worker and beat, and Ctrl-C stops every process it started.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from diana_portal import embedded

ROOT = Path(__file__).resolve().parents[1]
# What diana_portal.test_settings put into this process's environment: the portal runs
# with the real settings, as `make run` does.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "EMAIL_URL", "SECURE_SSL_REDIRECT", "REQUIRE_STAFF_MFA"}
# Unset, as in `make run`: runportal derives the portal's address from the port.
UNSET = {"PORTAL_URL"}
BANNER_END = "Press Ctrl-C to stop."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def portal_database_url() -> Iterator[str]:
    """A throwaway database on the suite's PostgreSQL server, for runportal to migrate and seed."""
    name = f"runportal_{os.getpid()}_{time.monotonic_ns()}"
    server_url = settings.DATABASE_URL  # the URL as configured, not pytest-django's test database

    def execute(statement: sql.Composable) -> None:
        with closing(psycopg2.connect(server_url)) as conn:
            conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
            with conn.cursor() as cursor:
                cursor.execute(statement)

    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def portal_redis_url() -> Iterator[str]:
    """The suite's Redis, on a database number of its own: the portal's worker listens on the
    default queue, and must not take (or run) the tasks other tests send there."""
    parts = urlsplit(settings.REDIS_URL)
    if parts.scheme in {"redis", "rediss"}:
        suite_db = int(parts.path.strip("/") or 0)
        yield parts._replace(path=f"/{14 if suite_db == 15 else 15}").geturl()
        return
    # Celery cannot pick a database on a Unix socket (the embedded Redis): a private one instead.
    # A short directory, since a socket path is limited to 108 bytes.
    var_dir = Path(tempfile.mkdtemp(prefix="runportal-"))
    try:
        yield embedded.redis_url(var_dir)
    finally:
        embedded.redis_stop(var_dir)
        shutil.rmtree(var_dir, ignore_errors=True)


def wait_for_output(log: Path, text: str, process: subprocess.Popen, timeout: float = 300) -> str:
    """The log once it contains `text`; fails with the log if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        output = log.read_text(errors="replace")
        if text in output:
            return output
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"runportal never printed {text!r} (exit status {process.poll()}):\n{output}")
        time.sleep(0.25)


def get(url: str, timeout: float = 120, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET `url`, retrying while the server is still starting to listen."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own http:// URL
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own http:// URL
                return response.status, response.read()
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def role_of(process: psutil.Process) -> str:
    args = process.cmdline()
    program = Path(args[1] if len(args) > 1 else args[0]).name
    if program == "celery":
        return f"celery {args[args.index('-A') + 2]}"
    return program


def test_make_run_serves_the_portal_then_ctrl_c_stops_every_process(tmp_path, portal_database_url, portal_redis_url):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY | UNSET} | {
        "DJANGO_SETTINGS_MODULE": "diana_portal.settings",
        "DEBUG": "1",  # as `make run`
        "REQUIRE_STAFF_MFA": "0",
        "SECRET_KEY": "runportal-test-" + "k" * 50,
        "DATABASE_URL": portal_database_url,
        "REDIS_URL": portal_redis_url,
        "EMAIL_URL": f"file://{tmp_path / 'mail'}",
    }
    log = tmp_path / "runportal.log"
    with log.open("w") as out:
        # A session of its own, as a terminal's foreground job: Ctrl-C signals the whole group.
        portal = subprocess.Popen(
            [sys.executable, "manage.py", "runportal", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started: list[psutil.Process] = []
    try:
        banner = wait_for_output(log, BANNER_END, portal)

        assert f"The DIANA portal is running at http://127.0.0.1:{port}/" in banner
        assert f"Demo logins (password: {DEMO_PASSWORD}):" in banner
        for role, email, _name, _nation in DEMO_LOGINS:
            assert f"{role.label:<20} {email}" in banner
        assert f"Outgoing e-mail is written to {tmp_path / 'mail'}" in banner

        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert (status, body) == (200, b'{"database": "ok", "redis": "ok"}')
        status, body = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert b"DIANA" in body
        # The demo ministry's token (Canada), issued at this start and printed with a ready curl line.
        curl = re.search(r'curl -H "Authorization: Bearer (diana_[\w-]+)" (\S+/api/v1/applications/)', banner)
        assert curl is not None, banner
        status, body = get(curl.group(2), headers={"Authorization": f"Bearer {curl.group(1)}"})
        assert status == 200
        assert {row["nation"] for row in json.loads(body)["results"]} == {"CA"}

        output = wait_for_output(log, " ready.", portal, timeout=120)  # the worker's "celery@host ready."
        output = wait_for_output(log, "beat: Starting...", portal, timeout=120)
        assert "Traceback" not in output
        started = psutil.Process(portal.pid).children(recursive=True)
        direct = {role_of(child) for child in psutil.Process(portal.pid).children()}
        assert direct == {"gunicorn", "celery worker", "celery beat"}
        # Links in messages lead to this port: the demo's welcomes rendered by runportal
        # itself, and whatever the web server and the worker render.
        assert {child.environ().get("PORTAL_URL") for child in psutil.Process(portal.pid).children()} == {
            f"http://127.0.0.1:{port}"
        }
        with closing(psycopg2.connect(portal_database_url)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT body_text FROM notifications_message WHERE kind = 'welcome'")
            links = {line for (body,) in cursor.fetchall() for line in body.splitlines() if "http" in line}
        assert links == {f"Your messages: http://127.0.0.1:{port}/messages/"}
        assert len(started) >= 5  # plus gunicorn's two workers and the worker's pool

        os.killpg(portal.pid, signal.SIGINT)

        assert portal.wait(timeout=120) == 0
        _gone, lingering = psutil.wait_procs(started, timeout=30)
        assert lingering == []
        assert log.read_text().rstrip().endswith("Stopped.")
    finally:
        if portal.poll() is None:
            started += psutil.Process(portal.pid).children(recursive=True)
            os.killpg(portal.pid, signal.SIGKILL)
            portal.wait()
        for process in started:
            with suppress(psutil.NoSuchProcess):
                process.kill()
