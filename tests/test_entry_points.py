"""Every way the portal starts, not only manage.py, answers a bad environment value with one
line on stderr and exit status 2: gunicorn's WSGI module and the Celery command line too."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What diana_portal.test_settings put into this process's environment.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "EMAIL_URL", "SECURE_SSL_REDIRECT", "REQUIRE_STAFF_MFA"}


def run_with_bad_environment(command: list[str], **env: str) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "diana_portal.settings", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a gunicorn that respawns its workers is stopped whole below
    )
    try:
        _stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, stderr


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import diana_portal.wsgi"],
        # From the project root, where gunicorn reads gunicorn.conf.py, as in the image.
        [str(BIN / "gunicorn"), "diana_portal.wsgi", "--bind", "127.0.0.1:0", "--no-control-socket"],
        [str(BIN / "celery"), "-A", "diana_portal", "worker", "--pool", "solo"],
        [str(BIN / "celery"), "-A", "diana_portal", "beat"],
        [str(BIN / "celery"), "-A", "diana_portal", "report"],
        [sys.executable, "manage.py", "check"],
    ],
    ids=["wsgi", "gunicorn", "celery-worker", "celery-beat", "celery-report", "manage"],
)
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL must start with one of postgres://, postgresql://"),
        ({"DEBUG": "0", "EMAIL_URL": "smtp://mail.example.org"}, "SECRET_KEY is not set"),
    ],
    ids=["bad-database-url", "no-secret-key"],
)
def test_bad_environment_value_is_one_line_and_status_2(command, env, message):
    returncode, stderr = run_with_bad_environment(command, **env)

    assert returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith("Configuration error: ")
    assert message in stderr
