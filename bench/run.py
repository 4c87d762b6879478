"""`make bench` / `make bench-quick`: seed (or reuse) a database at scale, serve the product with
gunicorn as deployed, measure every row of issue #13 as an interleaved A/B pair, and write
bench/results/latest.json (quick: quick.json), a chart of each figure against its target, and a
table on stdout.

    python -m bench.run            # 10,000 listings, 100,000 bookings (≤ 15 minutes here)
    python -m bench.run --quick    # 1,000 / 10,000, fewer runs (about 2 minutes)

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432) and Redis
(REDIS_URL, default redis://127.0.0.1:6379/1). It creates its own databases (staybook_bench_scale,
staybook_bench_demo; quick: staybook_bench_quick) and reuses them while the seed code and the
requested scale are unchanged (a key in the database's comment). A row that misses its target
is reported as missed; a row that fails is reported with its error; the run goes on.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import datetime as dt
import hashlib
import http.client
import json
import os
import platform as host_platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import report
from bench.stats import Pairs, interleave

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED_CODE = [ROOT / "platform" / "demo"]
# Every run starts with a cold cache: its servers, worker and in-process rows share a cache key
# prefix of their own, so a "cache miss" row never finds what an earlier run left in Redis.
RUN_ID = f"{os.getpid()}-{int(time.time())}"


@dataclass
class Plan:
    name: str
    listings: int
    bookings: int
    pairs: int
    warmup: int
    slow_pairs: int  # rows of about a second per run (changelists at scale)
    import_rows: int
    throughput_seconds: int
    scale_db: str
    demo_db: str = "staybook_bench_demo"
    output: str = "latest"
    scale_port: int = 8110
    demo_port: int = 8111
    extra: dict = field(default_factory=dict)


FULL = Plan(
    "full",
    10_000,
    100_000,
    pairs=120,
    warmup=10,
    slow_pairs=30,
    import_rows=10_000,
    throughput_seconds=30,
    scale_db="staybook_bench_scale",
)
QUICK = Plan(
    "quick",
    1_000,
    10_000,
    pairs=12,
    warmup=3,
    slow_pairs=6,
    import_rows=1_000,
    throughput_seconds=8,
    scale_db="staybook_bench_quick",
    output="quick",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- environment, databases -----------------------------------------------------------------------


def pg_base() -> str:
    return os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def db_url(name: str) -> str:
    return f"{pg_base()}/{name}"


def pg(sql: str, params=(), *, db: str = "postgres"):
    import psycopg2

    connection = psycopg2.connect(db_url(db))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def service_env(db: str, *, settings: str = "bench.settings", prefix: str = "bench") -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=db_url(db),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        CACHE_KEY_PREFIX=f"{prefix}-{db}-{RUN_ID}",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        # Throttles stay in the path (their Redis round trip is part of a request) with budgets
        # a benchmark from one address cannot exhaust.
        API_THROTTLE_ANON="100000000/min",
        API_THROTTLE_USER="100000000/min",
        LOG_LEVEL="warning",
        WEB_CONCURRENCY="2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("DJANGO_CONFIGURATION", None)
    return env


def seed_key(plan_listings: int, plan_bookings: int) -> str:
    digest = hashlib.sha256(f"{plan_listings}:{plan_bookings}".encode())
    for folder in SEED_CODE:
        for path in sorted(folder.rglob("*.py")):
            if "tests" in path.parts:
                continue
            digest.update(str(path.relative_to(ROOT)).encode())
            # The code's syntax tree, not its bytes: reformatting or comments reseed nothing.
            digest.update(ast.dump(ast.parse(path.read_bytes())).encode())
    return digest.hexdigest()[:16]


def db_comment(name: str) -> dict | None:
    rows = pg(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    )
    if not rows:
        return None
    try:
        return json.loads(rows[0][0] or "{}")
    except ValueError:
        return {}


def manage(args: list[str], env: dict, *, timeout=1800) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


SEED_APP = "staybook-bench-seed"


def timed_seed(args: list[str], env: dict, workdir: Path) -> dict:
    """Run `manage.py seed_demo ...` and measure its wall time, its peak resident memory (the
    kernel's accounting of that one child, from wait4) and the CPU time it cost: its own and
    that of the PostgreSQL backends serving it (read from /proc while it runs, when the
    database is on this machine). The CPU time says what the wall time would be on an idle
    machine; the wall time on a shared one depends on everyone else."""
    out = workdir / "seed.log"
    backends: dict[int, float] = {}
    done = threading.Event()

    def sample():
        while not done.wait(0.5):
            with contextlib.suppress(Exception):
                rows = pg("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                          [SEED_APP])  # fmt: skip
                for (pid,) in rows:
                    backends[pid] = max(backends.get(pid, 0.0), process_cpu(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    load = os.getloadavg()[0]
    with out.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            [PY, "manage.py", "seed_demo", *args],
            cwd=ROOT,
            env={**env, "PGAPPNAME": SEED_APP},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"seed_demo failed:\n{out.read_text()[-3000:]}")
    return {
        "seconds": round(elapsed, 2),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "database_cpu_seconds": round(sum(backends.values()), 1) if backends else None,
        "load_average": round(load, 2),
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def unapplied_migrations(db: str) -> set[tuple[str, str]]:
    """The project's migration files the database has not recorded: `migrate` (a Django start,
    seconds on a busy machine) only runs when one is missing. Third-party apps' migrations
    change with the lock file, which the lead updates; `make bench` after that is a new seed
    only if the seed code changed, so run `manage.py migrate` by hand then (or drop the db)."""
    on_disk = {
        (path.parent.parent.name, path.stem)
        for path in (ROOT / "platform").glob("*/migrations/[0-9]*.py")
    }
    applied = set(pg("SELECT app, name FROM django_migrations", db=db))
    return on_disk - applied


def ensure_db(name: str, listings: int, bookings: int) -> dict:
    """A migrated database seeded with `seed_demo --listings N --bookings M`, reused while its
    key (the seed code and the counts) is unchanged. Returns what its seeding measured."""
    key = seed_key(listings, bookings)
    env = service_env(name, settings="config.settings.dev")
    comment = db_comment(name)
    if comment is not None and comment.get("key") == key:
        if unapplied_migrations(name):
            log(f"{name}: reusing (seeded {comment.get('seeded_at')}), applying new migrations")
            manage(["migrate", "--noinput", "-v0"], env)
        else:
            log(f"{name}: reusing (seeded {comment.get('seeded_at')})")
        return {**comment, "reused": True}
    log(f"{name}: creating and seeding {listings} listings / {bookings} bookings")
    pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg(f'CREATE DATABASE "{name}"')
    manage(["migrate", "--noinput", "-v0"], env)
    args = ["--listings", str(listings), "--bookings", str(bookings)] if listings else []
    with tempfile.TemporaryDirectory(prefix="staybook-seed-") as tmp:
        seeded = timed_seed(args, env, Path(tmp))
    pg("ANALYZE", db=name)  # what autovacuum would do soon after a bulk load: stable plans
    info = {
        "key": key,
        "listings": listings,
        "bookings": bookings,
        "seeded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit()[0],
        **seeded,
    }
    pg(f'COMMENT ON DATABASE "{name}" IS %s', [json.dumps(info)])
    return {**info, "reused": False}


# --- processes ------------------------------------------------------------------------------------


class Services:
    """gunicorn (the project's config, 2 workers) per database, and one Celery worker for the
    imports queue; all in their own process groups, stopped on exit."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.servers: dict[int, subprocess.Popen] = {}

    def start(self, command: list[str], env: dict, log_name: str) -> subprocess.Popen:
        out = (self.workdir / log_name).open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def gunicorn(self, db: str, port: int, constant_dir: Path, *, wait: bool = True) -> None:
        env = service_env(db)
        env["BENCH_CONSTANT_DIR"] = str(constant_dir)
        env["PORT"] = str(port)
        process = self.start(
            [
                PY,
                "-m",
                "gunicorn",
                "--config",
                "docker/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "config.wsgi",
            ],
            env,
            f"gunicorn-{port}.log",
        )
        self.servers[port] = process
        if wait:
            self.wait_for(port)

    def wait_for(self, port: int) -> None:
        process = self.servers[port]
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                if http_get(port, "/healthz")[0] == 200:
                    return
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (self.workdir / f"gunicorn-{port}.log").read_text()[-3000:]
                raise RuntimeError(f"gunicorn on {port} did not start:\n{tail}")
            time.sleep(0.3)

    def worker(self, db: str) -> None:
        self.start(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "imports",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench-imports-{db}@%h",
                "-l",
                "warning",
            ],
            service_env(db),
            "worker.log",
        )

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


# --- HTTP -----------------------------------------------------------------------------------------


def http_get(
    port: int, path: str, *, cookie: str | None = None, method="GET", body=None, headers=None
) -> tuple[int, bytes]:
    """One request on a new connection (gunicorn's sync workers close it after each response,
    as a client behind a load balancer would see it); the body is read in full."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def ok_get(port: int, path: str, **kwargs) -> bytes:
    status, body = http_get(port, path, **kwargs)
    if status != 200:
        raise RuntimeError(f"GET {path} on {port} answered {status}: {body[:300]!r}")
    return body


# --- the rows -------------------------------------------------------------------------------------


def inproc(command: str, db: str, *args: str, timeout=900) -> dict:
    result = subprocess.run(
        [PY, "-m", "bench.inproc", command, *args],
        cwd=ROOT,
        env=service_env(db),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.inproc {command} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def inproc_parallel(calls: list[tuple[str, str]], timeout=300) -> list[dict]:
    """Several `bench.inproc` commands at once (Django's start-up is most of their time)."""
    processes = [
        subprocess.Popen([PY, "-m", "bench.inproc", command], cwd=ROOT, env=service_env(db),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for command, db in calls
    ]  # fmt: skip
    results = []
    for process, (command, _db) in zip(processes, calls, strict=True):
        out, err = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"bench.inproc {command} failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def pairs_result(pairs: Pairs, **extra) -> dict:
    return {**pairs.as_dict(), "samples": {"a": pairs.a, "b": pairs.b}, **extra}


GRAPHQL_PAGE = """
query Page($city: String, $guests: Int, $first: Int) {
  listings(city: $city, guests: $guests, first: $first) {
    edges { node {
      id title city country propertyType nightlyPrice currency maxGuests bedrooms beds
      bathrooms rating reviewCount instantBook photo
      host { id firstName }
      amenities { slug name }
      photos { url }
      reviews(first: 5) { edges { node { rating comment author { firstName } } }
                          pageInfo { hasNextPage } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class Bench:
    def __init__(self, plan: Plan, workdir: Path):
        self.plan = plan
        self.workdir = workdir
        self.constants = workdir / "constant"
        self.constants.mkdir()
        self.rows: dict[str, dict] = {}
        self.facts: dict = {}
        self.demo_facts: dict = {}
        self.only: set[str] = set()

    def row(self, row_id: str, measure) -> None:
        if self.only and row_id not in self.only:
            return
        log(f"measuring {row_id}")
        started = time.perf_counter()
        try:
            self.rows[row_id] = measure()
        except Exception as error:  # noqa: BLE001 - a broken row is reported, the run goes on
            self.rows[row_id] = {"error": f"{type(error).__name__}: {error}"[:2000]}
            traceback.print_exc()
        self.rows[row_id]["row_seconds"] = round(time.perf_counter() - started, 1)

    def constant(self, name: str, body: bytes) -> str:
        (self.constants / f"{name}.json").write_bytes(body)
        return f"/__bench__/constant/{name}/"

    # HTTP rows on the scale server ------------------------------------------------------------

    def graphql_vs_rest(self) -> dict:
        port, plan = self.plan.scale_port, self.plan
        rest_path = "/api/v1/listings/?" + urlencode({"city": "lisbon", "guests": 2})
        payload = json.dumps(
            {"query": GRAPHQL_PAGE, "variables": {"city": "lisbon", "guests": 2, "first": 20}}
        ).encode()
        headers = {"Content-Type": "application/json"}

        def graphql(i):
            status, body = http_get(port, "/graphql/", method="POST", body=payload, headers=headers)
            if status != 200 or b'"errors"' in body:
                raise RuntimeError(f"GraphQL answered {status}: {body[:300]!r}")

        def rest(i):
            ok_get(port, rest_path)

        graphql(0)
        rest(0)
        return pairs_result(interleave(graphql, rest, pairs=plan.pairs, warmup=plan.warmup))

    def detail(self, *, hit: bool) -> dict:
        port, plan = self.plan.scale_port, self.plan
        ids = self.facts["listing_ids"]
        first = ids[0]
        body = ok_get(port, f"/api/v1/listings/{first}/")
        constant = self.constant("detail", body)
        fresh = iter(ids[1:] if not hit else [])

        def detail(i):
            ok_get(port, f"/api/v1/listings/{first if hit else next(fresh)}/")

        def baseline(i):
            ok_get(port, constant)

        return pairs_result(
            interleave(detail, baseline, pairs=plan.pairs, warmup=plan.warmup),
            cache="hit" if hit else "miss (each run a listing never read)",
        )

    def quote(self) -> dict:
        port, plan = self.plan.scale_port, self.plan
        ids = self.facts["listing_ids"][-(plan.pairs + plan.warmup + 1) :]
        start = dt.date.today() + dt.timedelta(days=200)

        def path(i):
            check_in = start + dt.timedelta(days=i % 50 if i >= 0 else 60 - i)
            query = urlencode(
                {
                    "check_in": check_in.isoformat(),
                    "guests": 2,
                    "check_out": (check_in + dt.timedelta(days=3)).isoformat(),
                }
            )
            return f"/api/v1/listings/{ids[i]}/quote/?{query}"

        body = ok_get(port, path(0))
        constant = self.constant("quote", body)

        def quote(i):
            ok_get(port, path(i))

        def baseline(i):
            ok_get(port, constant)

        return pairs_result(
            interleave(quote, baseline, pairs=plan.pairs, warmup=plan.warmup),
            cache="each run a listing and dates of its own",
        )

    def changelist(self, path: str) -> dict:
        plan = self.plan
        scale_cookie, demo_cookie = self.facts["admin_cookie"], self.demo_facts["admin_cookie"]
        sizes = {}

        def scale(i):
            sizes["a"] = len(ok_get(plan.scale_port, path, cookie=scale_cookie))

        def demo(i):
            sizes["b"] = len(ok_get(plan.demo_port, path, cookie=demo_cookie))

        pairs = interleave(scale, demo, pairs=plan.slow_pairs, warmup=2)
        return pairs_result(pairs, bytes={"a": sizes["a"], "b": sizes["b"]})

    # The import, end to end as a host would do it -----------------------------------------------

    def listing_import(self) -> dict:
        import requests

        port, rows = self.plan.scale_port, self.plan.import_rows
        prefix = f"bench-import-{int(time.time())}"
        data = import_csv(prefix, rows)
        session = requests.Session()
        session.cookies.set(self.facts["host"]["name"], self.facts["host"]["value"])
        base = f"http://127.0.0.1:{port}"
        requests_ms: list[tuple[str, float]] = []

        def call(method, url, **kwargs):
            started = time.perf_counter()
            response = session.request(
                method, url if url.startswith("http") else base + url, timeout=120, **kwargs
            )
            requests_ms.append(
                (
                    f"{method} {url[len(base) :] if url.startswith(base) else url}"
                    f" {response.status_code}",
                    (time.perf_counter() - started) * 1000,
                )
            )
            return response

        started = time.perf_counter()
        started_at = time.time()  # the clock the worker stamps the job's finished_at with
        phases = {}
        form = call("GET", "/admin/listings/listing/import/")
        token = csrf_token(form.text)
        response = call(
            "POST",
            "/admin/listings/listing/import/",
            data={"csrfmiddlewaretoken": token, "format": "0", "resource": "0"},
            files={"import_file": (f"{prefix}.csv", data, "text/csv")},
        )
        phases["uploaded"] = time.perf_counter() - started
        flow = []
        seen_final: set[str] = set()
        for _step in range(600):  # bounded: preview → confirm, or a job page to poll
            confirm = confirm_form(response.text)
            if confirm is not None:
                flow.append("confirm")
                action, fields = confirm
                response = call(
                    "POST", action if action.startswith("/") else response.url, data=fields
                )
                continue
            state = job_state(self.plan.scale_db, prefix)
            if state is None:  # no job: the request itself did the work
                break
            if state in ("imported", "rejected", "failed", "validated"):
                # A checked file may wait for a confirmation on its job page: read it once more.
                if state != "validated" or response.url in seen_final:
                    break
                seen_final.add(response.url)
                response = call("GET", response.url)
                continue
            flow.append("poll")
            time.sleep(0.5)
            response = call("GET", response.url)
        polled = time.perf_counter() - started
        # A job's rows are committed just before its finished_at is stamped: timing to that
        # stamp leaves out the polling step (up to 0.5 s after the work ended, a quarter of a
        # 10,000-row import). Without a job, the request itself did the work.
        finished_at = job_finished_at(self.plan.scale_db, prefix)
        elapsed = finished_at - started_at if finished_at is not None else polled
        phases["done"] = elapsed
        phases["seen_done_by_polling"] = polled
        written = pg(
            "SELECT count(*) FROM listings_listing WHERE external_id LIKE %s",
            [prefix + "%"],
            db=self.plan.scale_db,
        )[0][0]
        cleanup = cleanup_import(self.plan.scale_db, prefix)
        slowest = max(requests_ms, key=lambda r: r[1])
        return {
            "rows": rows,
            "written": written,
            "bytes": len(data),
            "seconds": round(elapsed, 2),
            "rows_per_s": written / elapsed if written else 0.0,
            "max_request_ms": slowest[1],
            "slowest_request": slowest[0],
            "requests": len(requests_ms),
            "request_ms": requests_ms,
            "phases": phases,
            "flow": "upload, " + ", ".join(sorted(set(flow))) if flow else "upload",
            "timed_to": "the job's finished_at" if finished_at is not None else "the last request",
            "job_state": job_state(self.plan.scale_db, prefix),
            "cleanup": cleanup,
        }

    def throughput(self) -> dict:
        seconds = self.plan.throughput_seconds
        prefix = self.workdir / "locust"
        users = 8
        result = subprocess.run(
            [
                PY,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--only-summary",
                "--host",
                f"http://127.0.0.1:{self.plan.scale_port}",
                "--csv",
                str(prefix),
                "--stop-timeout",
                "5",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=service_env(self.plan.scale_db),
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            raise RuntimeError(f"locust wrote no stats:\n{result.stderr[-2000:]}")
        with stats.open() as handle:
            total = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
        return {
            "users": users,
            "workers": 2,
            "seconds": seconds,
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]),
            "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]),
        }


def import_csv(prefix: str, rows: int) -> bytes:
    """A listings file as hosts send them: a new listing per row, with amenities."""
    cities = [
        ("Lisbon", "PT", "Europe/Lisbon"),
        ("Porto", "PT", "Europe/Lisbon"),
        ("Paris", "FR", "Europe/Paris"),
        ("Berlin", "DE", "Europe/Berlin"),
    ]
    lines = [
        "external_id,title,description,city,country,time_zone,max_guests,bedrooms,"
        "nightly_price,cleaning_fee,amenities"
    ]
    for i in range(rows):
        city, country, tz = cities[i % len(cities)]
        lines.append(
            f'{prefix}-{i},Imported flat {i} in {city},"A bright flat, number {i}.",'
            f"{city},{country},{tz},{2 + i % 4},{1 + i % 3},{60 + i % 90}.00,"
            f'{20 + i % 15}.00,"wifi,kitchen{",washer" if i % 2 else ""}"'
        )
    return ("\n".join(lines) + "\n").encode()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the import page")
    return match.group(1)


def confirm_form(html: str):
    """The import preview's confirm form (django-import-export's process_import), if any."""
    for form in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S):
        attrs, inner = form.groups()
        action = re.search(r'action="([^"]*)"', attrs)
        if (
            not action
            or "process_import" not in action.group(1)
            and "confirm" not in action.group(1)
        ):
            continue
        fields = {}
        for tag in re.finditer(r"<input\b[^>]*>", inner):
            name = re.search(r'name="([^"]+)"', tag.group(0))
            value = re.search(r'value="([^"]*)"', tag.group(0))
            if name:
                fields[name.group(1)] = _unescape(value.group(1)) if value else ""
        return action.group(1), fields
    return None


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def cleanup_import(db: str, prefix: str) -> dict:
    """Delete what a benchmark import wrote (new listings, their amenities, their history and
    the job), in SQL: deleting 10,000 listings through the ORM would write 10,000 history rows
    first. A foreign key from anything else makes it fail loudly, never delete more."""
    import psycopg2

    if not prefix.startswith("bench-import-"):
        raise ValueError("refusing to delete anything but a benchmark import")
    like = prefix + "%"
    connection = psycopg2.connect(db_url(db))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM listings_historicallisting_amenities WHERE history_id IN "
                "(SELECT history_id FROM listings_historicallisting WHERE external_id LIKE %s)",
                [like],
            )
            cursor.execute("DELETE FROM listings_historicallisting WHERE external_id LIKE %s",
                           [like])  # fmt: skip
            cursor.execute(
                "DELETE FROM listings_listing_amenities WHERE listing_id IN "
                "(SELECT id FROM listings_listing WHERE external_id LIKE %s)",
                [like],
            )
            cursor.execute("DELETE FROM listings_listing WHERE external_id LIKE %s", [like])
            deleted = cursor.rowcount
            cursor.execute(
                "DELETE FROM listings_historicallistingimportjob WHERE file_name LIKE %s", [like]
            )
            cursor.execute("DELETE FROM listings_listingimportjob WHERE file_name LIKE %s", [like])
    finally:
        connection.close()
    return {"deleted": deleted}


def job_finished_at(db: str, prefix: str) -> float | None:
    """When the import's job finished (Unix time), if a job ran it."""
    rows = pg(
        "SELECT extract(epoch FROM finished_at) FROM listings_listingimportjob "
        "WHERE file_name LIKE %s AND finished_at IS NOT NULL ORDER BY created_at DESC LIMIT 1",
        [prefix + "%"],
        db=db,
    )
    return float(rows[0][0]) if rows else None


def job_state(db: str, prefix: str) -> str | None:
    rows = pg(
        "SELECT status FROM listings_listingimportjob WHERE file_name LIKE %s "
        "ORDER BY created_at DESC LIMIT 1",
        [prefix + "%"],
        db=db,
    )
    return rows[0][0] if rows else None


# --- machine, commit ------------------------------------------------------------------------------


def git_commit() -> tuple[str, bool]:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    commit = git("rev-parse", "HEAD").strip()
    dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    return commit, dirty


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    memory = None
    with contextlib.suppress(OSError, StopIteration, ValueError):
        memory = (
            int(
                next(
                    line.split()[1]
                    for line in Path("/proc/meminfo").read_text().splitlines()
                    if line.startswith("MemTotal")
                )
            )
            // 1024
        )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mib": memory,
        "load_before": list(os.getloadavg()),
        "python": host_platform.python_version(),
        "system": f"{host_platform.system()} {host_platform.release()}",
    }


# --- main -----------------------------------------------------------------------------------------


def run(plan: Plan, only: set[str] | None = None) -> dict:
    started = time.perf_counter()
    commit, dirty = git_commit()
    facts = machine()
    scale_seed = ensure_db(plan.scale_db, plan.listings, plan.bookings)
    demo_seed = ensure_db(plan.demo_db, 0, 0)
    with tempfile.TemporaryDirectory(prefix="staybook-bench-") as tmp:
        workdir = Path(tmp)
        bench = Bench(plan, workdir)
        bench.only = only or set()
        services = Services(workdir)
        try:
            scale_facts, demo_facts = inproc_parallel(
                [("facts", plan.scale_db), ("facts", plan.demo_db)]
            )
            facts["postgres"] = scale_facts.pop("postgres")
            bench.facts = {**scale_facts, "admin_cookie": cookie_header(scale_facts["admin"])}
            bench.demo_facts = {**demo_facts, "admin_cookie": cookie_header(demo_facts["admin"])}
            log("starting gunicorn (2 workers) on the scale and demo databases, and a worker")
            services.gunicorn(plan.scale_db, plan.scale_port, bench.constants, wait=False)
            services.gunicorn(plan.demo_db, plan.demo_port, bench.constants, wait=False)
            services.wait_for(plan.scale_port)
            services.wait_for(plan.demo_port)
            services.worker(plan.scale_db)
            p = ["--pairs", str(plan.pairs), "--warmup", str(plan.warmup)]
            bench.row("search", lambda: inproc("search", plan.scale_db, *p))
            bench.row("search_filters", lambda: inproc("search", plan.scale_db, *p, "--filters"))
            bench.row("graphql", bench.graphql_vs_rest)
            bench.row("detail_hit", lambda: bench.detail(hit=True))
            bench.row("detail_miss", lambda: bench.detail(hit=False))
            bench.row("quote", bench.quote)
            bench.row("booking_create", lambda: inproc("booking", plan.scale_db, *p))
            bench.row("bookings_changelist", lambda: bench.changelist("/admin/bookings/booking/"))
            bench.row("listings_changelist", lambda: bench.changelist("/admin/listings/listing/"))
            bench.row(
                "dashboard",
                lambda: inproc(
                    "dashboard",
                    plan.scale_db,
                    "--pairs",
                    str(max(5, plan.pairs // 4)),
                    "--warmup",
                    "1",
                ),
            )
            bench.row("import", bench.listing_import)
            bench.row("throughput", bench.throughput)
        finally:
            services.stop()
    facts["load_after"] = list(os.getloadavg())
    measured = {
        **bench.rows,
        "seed": {"scale": scale_seed, "demo": demo_seed},
    }
    return report.build(
        plan=plan,
        rows=measured,
        machine=facts,
        commit=commit,
        dirty=dirty,
        scale={
            "listings": scale_facts["listings"],
            "bookings": scale_facts["bookings"],
            "demo_listings": demo_facts["listings"],
            "demo_bookings": demo_facts["bookings"],
        },
        seconds=time.perf_counter() - started,
    )


def cookie_header(cookie: dict) -> str:
    return f"{cookie['name']}={cookie['value']}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced scale and runs")
    parser.add_argument("--listings", type=int, help="override the plan's listings")
    parser.add_argument("--bookings", type=int, help="override the plan's bookings")
    parser.add_argument("--pairs", type=int, help="override the plan's pairs per row")
    parser.add_argument("--import-rows", type=int, help="override the plan's import size")
    parser.add_argument("--scale-db", help="database to seed or reuse")
    parser.add_argument("--demo-db", help="demo-size database to seed or reuse")
    parser.add_argument("--scale-port", type=int, help="port of the scale server")
    parser.add_argument("--demo-port", type=int, help="port of the demo-size server")
    parser.add_argument("--output", help="results name under bench/results (default: plan's)")
    parser.add_argument("--only", help="comma-separated rows to measure (development)")
    parser.add_argument(
        "--seed-only", action="store_true", help="create or check the databases, measure nothing"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    for name in (
        "listings",
        "bookings",
        "pairs",
        "import_rows",
        "scale_db",
        "demo_db",
        "scale_port",
        "demo_port",
        "output",
    ):
        if getattr(args, name) is not None:
            setattr(plan, name, getattr(args, name))
    if args.seed_only:
        for name, listings, bookings in (
            (plan.scale_db, plan.listings, plan.bookings),
            (plan.demo_db, 0, 0),
        ):
            log(f"{name}: {json.dumps(ensure_db(name, listings, bookings))}")
        return 0
    only = set(args.only.split(",")) if args.only else None
    if only and not args.output:
        plan.output = "partial"  # never overwrite a whole run's results with a few rows
    results = run(plan, only)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    report.write(results, out / f"{plan.output}.json", out / f"{plan.output}.png")
    print(report.table(results))
    log(f"wrote bench/results/{plan.output}.json and .png in {results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
