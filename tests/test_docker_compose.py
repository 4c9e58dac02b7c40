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


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) for each instruction, with continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def lock_pins(name: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) ", (ROOT / name).read_text(), re.MULTILINE))


def test_dockerfile_builds_from_the_lock_files():
    instructions = dockerfile_instructions()
    runs = [args for instruction, args in instructions if instruction == "RUN"]
    copies = [args for instruction, args in instructions if instruction == "COPY"]

    assert [run for run in runs if "pip install" in run] == [
        "pip install --no-cache-dir --require-hashes -r requirements.lock"
    ]
    assert "requirements.lock ./" in copies
    assert any("npm ci" in run for run in runs)
    assert instructions[0][0] == "FROM"
    assert any(instruction == "FROM" and args.startswith("python:3.12") for instruction, args in instructions)


def test_production_image_installs_no_development_tool():
    dockerfile = (ROOT / "Dockerfile").read_text()
    runtime = lock_pins("requirements.lock")

    assert "requirements-dev.lock" not in dockerfile
    assert {"django", "celery", "gunicorn", "psycopg2-binary"} <= set(runtime)
    assert not {"pytest", "playwright", "mypy", "ruff", "schemathesis", "factory-boy"} & set(runtime)


def test_development_lock_pins_every_runtime_package_at_the_same_version():
    runtime = lock_pins("requirements.lock")
    development = lock_pins("requirements-dev.lock")

    assert {name: development.get(name) for name in runtime} == runtime
    assert {"pytest", "playwright", "mypy", "ruff"} <= set(development)


def test_make_installs_the_development_lock_and_follows_both_locks():
    makefile = (ROOT / "Makefile").read_text()

    target = re.search(r"^\$\(VENV\)/\.installed:(.*)$", makefile, re.MULTILINE)
    assert target is not None
    assert set(target.group(1).split()) == {"requirements.lock", "requirements-dev.lock"}
    assert "--require-hashes -r requirements-dev.lock" in makefile


def test_web_starts_where_gunicorn_finds_its_config():
    # gunicorn reads ./gunicorn.conf.py (preload, so a bad setting is one line): the web
    # container must start in /app, where the image puts the project.
    web = load_compose()["services"]["web"]

    assert (ROOT / "gunicorn.conf.py").is_file()
    assert "working_dir" not in web
    assert "-c" not in web["command"]
    assert "--config" not in web["command"]
    assert ("WORKDIR", "/app") in dockerfile_instructions()


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
