"""Benchmark: the ministries' API under load, beside a bare Django view.

    .venv/bin/python bench/api_load.py [--applications 10000] [--clients 50] [--seconds 20]
        [--processes 5] [--keep]

DESIGN §9 and issue 10. On a database of its own (diana_bench_api) on the same
PostgreSQL server (the embedded one under var/, or DATABASE_URL's), dropped at the end:

1. Set-up: the demo's programmes and 10,000 applications across the Allies, built by
   bench/applications_scale.py's builder; one ministry token per client, for the five
   nations with the most applications (each has more than 200, so a page is full).
2. gunicorn as in production (Dockerfile: 4 workers x 4 threads, gunicorn.conf.py,
   DEBUG off), bound to 127.0.0.1 only, with the portal's settings plus one URL:
   /bench/bare/, a plain Django view answering a fixed JSON list, one real page of 200
   applications saved before the start (same server, same middleware; no DRF, no SQL).
3. --clients concurrent clients (threads in --processes processes, each thread with
   its own keep-alive connection and its own token) drive, for --seconds each after a
   short warm-up: the bare view, the applications list (200 a page, the ministry's
   nation) and the programme statistics. Every request is a real one: token checked,
   counted by the throttle in Redis (with a limit the run does not reach), audited in
   PostgreSQL. The clients poll the same pages, as ministries do: after the first
   request of each token, the list is served from the kept page (api.cache).

It prints throughput, p50 and p95 for each, and the ratio to the bare view, then PASS or
FAIL for each target: at least 0.3x the bare view's throughput, p95 under 400 ms, no
errors. Exit status 0 only if every target passes. Timings depend on the machine: run it
on a quiet one and read the load average it prints.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from argparse import Namespace
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "diana_bench_api"
sys.path.insert(0, str(ROOT))
from bench.notifications_send import _drop_database, _recreate_database, _with_database  # noqa: E402

# --- The targets (issue 10) ------------------------------------------------------------------------
RATIO_GOAL = 0.3  # of the bare view's throughput
P95_GOAL_MS = 400
PAGE_SIZE = 200
NATIONS = ["US", "CA", "GB", "PL", "TR"]  # the most applications in the demo's weights
WARM_UP_S = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=9_000)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--processes", type=int, default=5, help="client processes the clients are spread over")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time for each endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--database", default=BENCH_DB, help="the scratch database's name (dropped at the end)")
    args = parser.parse_args()
    if args.clients % args.processes:
        parser.error("--clients must be a multiple of --processes")

    os.environ.setdefault("DEBUG", "0")
    from diana_portal import embedded

    var_dir = ROOT / "var"
    base_url = os.environ.get("DATABASE_URL") or embedded.postgres_url(var_dir)
    redis_url = os.environ.get("REDIS_URL") or embedded.redis_url(var_dir)
    scratch = Path(tempfile.mkdtemp(prefix="diana-bench-api-"))
    _recreate_database(base_url, args.database)
    env = {
        "DJANGO_SETTINGS_MODULE": "diana_portal.settings",
        "DEBUG": "0",  # as in production
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # production sits behind a TLS proxy; here it is plain HTTP
        "DATABASE_URL": _with_database(base_url, args.database),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"file://{scratch / 'mail'}",
        "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
        "REQUIRE_STAFF_MFA": "1",
        "LOG_LEVEL": "WARNING",
        # The throttle still counts every request in Redis, as in production, but with a
        # limit no client reaches here: 50 clients flat out would otherwise pass a ministry's
        # 600 a minute, and the run would measure the 429s, not the endpoints.
        "API_THROTTLE_RATE": "1000000/min",
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        return _run(args, env=env, scratch=scratch)
    finally:
        connections.close_all()
        if not args.keep:
            _drop_database(base_url, args.database)
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"kept: database {args.database}, files in {scratch}")


# --- Load ------------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    body_bytes: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _client_process(port: int, path: str, tokens: list[str], warm_up: float, seconds: float) -> dict:
    """One process of clients: a thread per token, each on its own keep-alive connection.
    Counts only what completes inside the measured window."""
    start = time.monotonic() + warm_up
    end = start + seconds
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sizes: list[int] = []
    lock = threading.Lock()

    def client(token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < end:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status: int | str = response.status
            except Exception as error:
                status, body = type(error).__name__, b""
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            finished = time.monotonic()
            if not start <= finished < end:
                continue  # warm-up, or finished after the window
            elapsed = (time.perf_counter() - began) * 1000
            if status == 200:
                mine.append(elapsed)
                sizes.append(len(body))
            else:
                with lock:
                    errors[str(status)] = errors.get(str(status), 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "size": int(statistics.median(sizes)) if sizes else 0}


def _drive(label: str, port: int, path: str, tokens: list[str | None], args) -> Result:
    per_process = len(tokens) // args.processes
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        futures = [
            pool.submit(
                _client_process, port, path, tokens[i * per_process : (i + 1) * per_process], WARM_UP_S, args.seconds
            )
            for i in range(args.processes)
        ]
        parts = [future.result() for future in futures]
    result = Result(label=label, seconds=args.seconds)
    for part in parts:
        result.latencies_ms.extend(part["latencies"])
        for status, count in part["errors"].items():
            result.errors[status] = result.errors.get(status, 0) + count
        result.body_bytes = max(result.body_bytes, part["size"])
    return result


# --- The run ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _run(args, *, env: dict[str, str], scratch: Path) -> int:
    from django.test import Client

    from accounts.services import api_token_issue
    from applications.models import Application
    from bench.applications_scale import _setup

    load_before = os.getloadavg()
    started = time.monotonic()
    data = _setup(
        Namespace(applications=args.applications, organisations=args.organisations, serial=0, threads=0, per_thread=0)
    )
    programme = data.programme
    total = Application.objects.filter(programme=programme).count()
    tokens = [
        api_token_issue(nation=NATIONS[index % len(NATIONS)], name=f"Bench ministry {index}", by=None).key
        for index in range(args.clients)
    ]
    list_path = f"/api/v1/applications/?programme={programme.slug}&page_size={PAGE_SIZE}"
    stats_path = f"/api/v1/programmes/{programme.slug}/stats/"
    # The bare view's answer: one real page of the list, as a ministry receives it.
    page = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {tokens[0]}").get(list_path)
    rows = page.json()["results"]
    if page.status_code != 200 or len(rows) != PAGE_SIZE:
        raise SystemExit(f"the list gave {page.status_code} with {len(rows)} rows, not {PAGE_SIZE}")
    bare_json = scratch / "bare.json"
    bare_json.write_text(json.dumps(rows))
    print(
        f"setup:  {total} applications in {programme.title}, {args.clients} ministry tokens "
        f"({', '.join(NATIONS)}), in {time.monotonic() - started:.0f}s"
    )

    port = _free_port()
    gunicorn = [
        str(Path(sys.executable).with_name("gunicorn")), "diana_portal.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4", "--log-level", "warning",
    ]  # fmt: skip
    server_env = {
        **os.environ,
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.api_load_settings",
        "BENCH_BARE_JSON": str(bare_json),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=server_env, start_new_session=True)  # noqa: S603 - fixed command
    try:
        _wait_for(port, server)
        print(
            f"server: gunicorn 4 workers x 4 threads, DEBUG off, on 127.0.0.1:{port}; "
            f"{args.clients} clients in {args.processes} processes, {WARM_UP_S:.0f}s warm-up then "
            f"{args.seconds:.0f}s each; {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before set-up, "
            f"{os.getloadavg()[0]:.2f} now (shared machine)"
        )
        results = [
            _drive("bare Django view (fixed JSON)", port, "/bench/bare/", [None] * args.clients, args),
            _drive(f"applications list ({PAGE_SIZE} a page)", port, list_path, list(tokens), args),
            _drive("programme statistics", port, stats_path, list(tokens), args),
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    bare = results[0]
    print(f"\n{'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'bytes':>8}  errors")
    for result in results:
        ratio = result.throughput / bare.throughput if bare.throughput else 0.0
        print(
            f"{result.label:<34} {result.throughput:>8.1f} {result.percentile(0.5):>8.1f} "
            f"{result.percentile(0.95):>8.1f} {ratio:>6.2f}x {result.body_bytes:>8}  {result.errors or 'none'}"
        )
    print()
    passed = True
    for result in results[1:]:
        ratio = result.throughput / bare.throughput if bare.throughput else 0.0
        checks = [
            (f"throughput {ratio:.2f}x the bare view's (goal >= {RATIO_GOAL}x)", ratio >= RATIO_GOAL),
            (f"p95 {result.percentile(0.95):.0f} ms (goal < {P95_GOAL_MS} ms)", result.percentile(0.95) < P95_GOAL_MS),
            (f"errors {sum(result.errors.values())} (goal 0)", not result.errors),
        ]
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {result.label}: {text}")
            passed &= ok
    if bare.errors:
        print(f"FAIL  the bare view had errors: {bare.errors}")
        passed = False
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
