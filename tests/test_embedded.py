"""The embedded servers `make run` uses where DATABASE_URL / REDIS_URL are unset."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg2
import pytest
import redis

from diana_portal import embedded
from diana_portal.env import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path
    embedded.redis_stop(tmp_path)
    embedded.postgres_stop(tmp_path)


def test_embedded_redis_starts_once_and_is_shared(var_dir):
    first = embedded.redis_url(var_dir)
    pid = (var_dir / "redis" / "redis.pid").read_text()

    second = embedded.redis_url(var_dir)  # what the worker's settings do

    assert first == second == f"unix://{var_dir / 'redis' / 'redis.sock'}"
    assert (var_dir / "redis" / "redis.pid").read_text() == pid
    assert redis.Redis.from_url(first).ping()


def test_embedded_postgres_starts_once_and_keeps_data(var_dir):
    url = embedded.postgres_url(var_dir)
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")

    assert embedded.postgres_url(var_dir) == url
    embedded.postgres_stop(var_dir)
    restarted = embedded.postgres_url(var_dir)

    with psycopg2.connect(restarted) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT n FROM kept")
        assert cursor.fetchone() == (42,)


def test_embedded_postgres_failure_names_its_log(tmp_path):
    (tmp_path / "postgres").write_text("a file where the data folder should be")

    with pytest.raises(ConfigError, match=re.escape(f"see its log at {tmp_path / 'postgres' / 'log'}")):
        embedded.postgres_url(tmp_path)


def test_embedded_redis_failure_names_its_log(tmp_path):
    # A Unix socket path longer than the kernel's limit (108 bytes) cannot be bound.
    deep = tmp_path / ("x" * 120)
    deep.mkdir()

    with pytest.raises(ConfigError, match=r"see its log at .*redis\.log"):
        embedded.redis_url(deep)

    # The daemon that could not serve was stopped, not left behind.
    def lingering() -> list[psutil.Process]:
        return [p for p in psutil.process_iter(["cmdline"]) if str(deep) in " ".join(p.info["cmdline"] or [])]

    for _ in range(50):
        if not lingering():
            break
        time.sleep(0.1)
    assert lingering() == []


def test_run_refuses_a_taken_port_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "diana_portal.settings"}
        result = subprocess.run(
            [sys.executable, "manage.py", "runportal", "--port", str(port), "--no-seed"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_names_missing_python_312():
    result = subprocess.run(
        ["make", "--always-make", ".venv/.installed", "PYTHON=/nonexistent/python3.12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "Python 3.12 is required and was not found" in result.stderr
