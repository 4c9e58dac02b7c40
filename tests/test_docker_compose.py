"""docker-compose.yml is kept valid by parsing it: no Docker engine runs here."""

import importlib
import importlib.util
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_defines_the_production_services():
    services = load_compose()["services"]

    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")


def test_compose_commands_point_at_entry_points_that_exist():
    services = load_compose()["services"]
    venv_bin = Path(shutil.which("gunicorn") or ROOT / ".venv" / "bin" / "gunicorn").parent

    for name in ("web", "worker", "beat", "migrate"):
        command = services[name]["command"]
        program = command[0]
        if program == "python":
            assert (ROOT / command[1]).is_file(), f"{name}: {command[1]} is missing"
            continue
        assert (venv_bin / program).exists(), f"{name}: {program} is not installed"
        if program == "gunicorn":
            assert importlib.util.find_spec(command[1]) is not None, f"{name}: no module {command[1]}"
        if program == "celery":
            app_module = command[command.index("-A") + 1]
            module = importlib.import_module(app_module)
            assert module.celery_app.main == "diana_portal"
            assert command[command.index("-A") + 2] in {"worker", "beat"}


def test_dockerfile_builds_from_the_lock_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "npm ci" in dockerfile
    assert re.search(r"^FROM python:3\.12", dockerfile, re.MULTILINE)


def test_worker_grace_period_outlasts_every_task_time_limit():
    # SIGKILL after the grace would cut a sender mid-chunk; a warm shutdown must be
    # able to wait out the longest task.
    from django.apps import apps

    from diana_portal.celery import app

    for config in apps.get_app_configs():  # every app's tasks, as the worker loads them
        if importlib.util.find_spec(f"{config.name}.tasks"):
            importlib.import_module(f"{config.name}.tasks")
    grace = load_compose()["services"]["worker"]["stop_grace_period"]
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", grace)
    assert match, f"unreadable stop_grace_period {grace!r}"
    assert grace, "stop_grace_period is empty"
    seconds = int(match[1] or 0) * 60 + int(match[2] or 0)
    limits = [task.time_limit for task in app.tasks.values() if task.time_limit]
    limits.append(app.conf.task_time_limit or 0)

    assert max(limits) == 300  # the outbox sender's hard limit
    assert seconds > max(limits)
