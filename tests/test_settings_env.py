"""Settings come from the environment, read strictly: a bad value is one clear line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from diana_portal.env import ConfigError, env_bool, env_list, env_url

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Drop what the test settings set for this process, so the child sees only `env`.
    ours = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "EMAIL_URL",
        "SECURE_SSL_REDIRECT",
        "REQUIRE_STAFF_MFA",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for Playwright
    }
    base = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must start with one of"),
        ({"DEBUG": "1", "REDIS_URL": "redis://:notaport/0"}, "REDIS_URL is not a valid URL"),
        ({"DEBUG": "1", "EMAIL_URL": "smtp:///nohost"}, "EMAIL_URL has no host name"),
        ({"DEBUG": "0", "EMAIL_URL": "smtp://mail.example.org"}, "SECRET_KEY is not set"),
        ({"DEBUG": "0", "SECRET_KEY": "short", "EMAIL_URL": "smtp://m.example"}, "at least 50 characters"),
        ({"DEBUG": "1", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is set but lists nothing"),
        ({"DEBUG": "1", "REQUIRE_STAFF_MFA": "sometimes"}, "REQUIRE_STAFF_MFA='sometimes'"),
    ],
)
def test_bad_environment_value_is_one_line_naming_the_variable(env, message):
    result = run_manage("check", **env)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def test_production_settings_pass_the_deploy_check_with_only_documented_warnings():
    secret = "a-real-production-secret-" + "k" * 50
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="diana.example.org",
        EMAIL_URL="smtp://user:pw@smtp.example.org:587",
    )

    # Only the warning the README explains (HSTS preload is the operator's choice) may appear.
    assert result.returncode in {0, 1}, result.stderr
    silenced = {"security.W021"}
    reported = set(re.findall(r"^\?: \((\w+\.\w+)\)", result.stderr, re.MULTILINE))
    assert reported <= silenced, result.stderr


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", default=False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", default=True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", default=True) is True


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example ")
    assert env_list("X_LIST", default=[]) == ["a.example", "b.example"]


def test_env_url_accepts_unix_socket_forms(monkeypatch):
    monkeypatch.setenv("X_URL", "postgresql://postgres:@/postgres?host=/tmp/pg")
    assert env_url("X_URL", schemes={"postgresql"}) == "postgresql://postgres:@/postgres?host=/tmp/pg"
    monkeypatch.setenv("X_URL", "redis://")
    with pytest.raises(ConfigError, match="X_URL has no host name"):
        env_url("X_URL", schemes={"redis"})
