"""What a run measured, judged against issue #13's targets: the results JSON (and its schema),
the table printed at the end, the Markdown table of the README and the chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

from bench.stats import check, share_of_target

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")
FULL_SCALE = (10_000, 100_000)


def _ratio(m):
    return m["ratio"]["p50"]


# id, what is measured, where it comes from, the figure, unit, comparison, target
ROWS = [
    (
        "search",
        "REST search, city + dates + guests, page of 20: in-process vs hand-written SQL",
        "search",
        _ratio,
        "×",
        "<=",
        3.0,
    ),
    (
        "search_filters",
        "same with amenities + price filters",
        "search_filters",
        _ratio,
        "×",
        "<=",
        2.0,
    ),
    (
        "graphql",
        "GraphQL listings page (host, amenities, photos, reviews(first:5)) vs REST page",
        "graphql",
        _ratio,
        "×",
        "<=",
        1.2,
    ),
    (
        "detail_hit",
        "listing detail over HTTP vs a constant JSON view, cache hit",
        "detail_hit",
        _ratio,
        "×",
        "<=",
        1.3,
    ),
    (
        "detail_miss",
        "listing detail over HTTP vs a constant JSON view, cache miss",
        "detail_miss",
        _ratio,
        "×",
        "<=",
        3.0,
    ),
    ("quote", "quote over HTTP vs a constant JSON view", "quote", _ratio, "×", "<=", 2.0),
    (
        "booking_create",
        "booking_create vs a plain Occupancy + Booking insert",
        "booking_create",
        _ratio,
        "×",
        "<=",
        1.5,
    ),
    (
        "bookings_changelist",
        "staff bookings changelist at scale vs demo size",
        "bookings_changelist",
        _ratio,
        "×",
        "<=",
        1.5,
    ),
    (
        "bookings_changelist_kb",
        "staff bookings changelist page at scale, HTML size",
        "bookings_changelist",
        lambda m: m["bytes"]["a"] / 1000,
        "kB",
        "<=",
        500.0,
    ),
    (
        "listings_changelist",
        "staff listings changelist at scale vs demo size",
        "listings_changelist",
        _ratio,
        "×",
        "<=",
        1.5,
    ),
    (
        "import_rate",
        "listings CSV import (new rows, amenities, history), upload to written",
        "import",
        lambda m: m["rows_per_s"],
        "rows/s",
        ">=",
        5000.0,
    ),
    (
        "import_max_request",
        "listings CSV import: the longest web request",
        "import",
        lambda m: m["max_request_ms"] / 1000,
        "s",
        "<=",
        2.0,
    ),
    (
        "dashboard",
        "dashboard figures for staff, cache miss (p50)",
        "dashboard",
        lambda m: m["a"]["p50"],
        "ms",
        "<=",
        100.0,
    ),
    (
        "seed_time",
        "seed_demo --listings 10000 --bookings 100000: wall time",
        "seed",
        lambda m: m["scale"]["seconds"],
        "s",
        "<=",
        40.0,
    ),
    (
        "seed_memory",
        "seed_demo --listings 10000 --bookings 100000: peak memory",
        "seed",
        lambda m: m["scale"]["peak_mib"],
        "MiB",
        "<=",
        300.0,
    ),
    (
        "search_throughput",
        "REST search throughput, 2 gunicorn workers, locust on loopback",
        "throughput",
        lambda m: m["rps"],
        "req/s",
        None,
        None,
    ),
]


def judge(row_def, measurements: dict, *, full_scale: bool) -> dict:
    row_id, title, source, figure, unit, op, target = row_def
    row = {
        "id": row_id,
        "title": title,
        "unit": unit,
        "op": op,
        "target": target,
        "value": None,
        "pass": None,
        "share": None,
    }
    measured = measurements.get(source)
    if measured is None:
        row["error"] = "not measured"
        row["pass"] = False if target is not None else None
        return row
    if "error" in measured:
        row["error"] = measured["error"]
        row["pass"] = False if target is not None else None
        return row
    try:
        value = figure(measured)
    except (KeyError, TypeError, ZeroDivisionError) as error:
        row["error"] = f"no figure: {error!r}"
        row["pass"] = False if target is not None else None
        return row
    row["value"] = None if value is None else float(value)
    if row_id.startswith("seed_") and not full_scale:
        row["note"] = "only judged at 10,000 listings / 100,000 bookings"
        return row
    if target is not None and row["value"] is not None:
        row["pass"] = check(row["value"], op, target)
        row["share"] = share_of_target(row["value"], op, target)
    elif target is not None:
        row["pass"] = False
        row["error"] = "no figure"
    return row


def build(
    *, plan, rows: dict, machine: dict, commit: str, dirty: bool, scale: dict, seconds: float
) -> dict:
    full = (plan.listings, plan.bookings) == FULL_SCALE
    judged = [judge(r, rows, full_scale=full) for r in ROWS]
    return {
        "schema": 1,
        "plan": dataclasses.asdict(plan),
        "commit": commit,
        "dirty": dirty,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": machine,
        "scale": scale,
        "rows": judged,
        "summary": {
            "met": sum(r["pass"] is True for r in judged),
            "missed": sum(r["pass"] is False for r in judged),
            "not_judged": sum(r["pass"] is None for r in judged),
        },
        "measurements": rows,
    }


def validate(results: dict) -> None:
    """Raise jsonschema.ValidationError when `results` does not have the documented shape."""
    import jsonschema

    jsonschema.validate(results, json.loads(SCHEMA_PATH.read_text()))


def write(results: dict, json_path: Path, png_path: Path) -> None:
    validate(results)
    json_path.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    chart(results, png_path)


# --- text -----------------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    if unit in ("rows/s", "req/s", "kB") or value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def target_text(row: dict) -> str:
    if row["target"] is None:
        return "(no target)"
    op = "≤" if row["op"] == "<=" else "≥"
    return f"{op} {fmt(row['target'], row['unit'])}"


def verdict(row: dict) -> str:
    if row.get("error"):
        return "ERROR" if row["pass"] is not None else "—"
    return {True: "met", False: "MISSED", None: "—"}[row["pass"]]


def _extra(row: dict, measurements: dict) -> str:
    """A few words of context per row: both sides' p50, the p95 of the ratio, bytes."""
    source = {r[0]: r[2] for r in ROWS}[row["id"]]
    m = measurements.get(source) or {}
    if "error" in m:
        return m["error"].splitlines()[0][:80]
    if row["unit"] == "×" and "a" in m:
        return (
            f"{m['a']['p50']:.1f} vs {m['b']['p50']:.1f} ms p50, ratio p95 {m['ratio']['p95']:.2f}×"
        )
    if row["id"] == "import_rate" and m:
        timed_to = f"; to {m['timed_to']}" if m.get("timed_to") else ""
        return f"{m['written']:,} rows in {m['seconds']:.1f} s ({m['flow']}{timed_to})"
    if row["id"] == "import_max_request" and m:
        return m.get("slowest_request", "")
    if row["id"] == "dashboard" and m:
        return f"p95 {m['a']['p95']:.0f} ms"
    if row["id"] == "seed_time" and m:
        s = m["scale"]
        when = "measured when seeded" if s.get("reused") else "seeded in this run"
        if s.get("cpu_seconds") is not None:
            db = s.get("database_cpu_seconds")
            when += (f"; CPU {s['cpu_seconds']:.0f} s"
                     + (f" + database {db:.0f} s" if db is not None else "")
                     + f", load average {s.get('load_average', 0):.1f}")  # fmt: skip
        return when
    if row["id"] == "search_throughput" and m:
        return (
            f"p50 {m['p50_ms']:.0f} ms, p95 {m['p95_ms']:.0f} ms, "
            f"{m['failures']} failures, {m['users']} users"
        )
    return ""


def table(results: dict) -> str:
    head = ("path", "figure", "target", "verdict", "detail")
    body = [
        (
            r["title"],
            fmt(r["value"], r["unit"]),
            target_text(r),
            verdict(r),
            _extra(r, results["measurements"]),
        )
        for r in results["rows"]
    ]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(5)]
    widths[0] = min(widths[0], 70)
    lines = [
        "  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(x))
        for x in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    s = results["summary"]
    plan = results["plan"]
    lines.append(
        f"\n{s['met']} met, {s['missed']} missed, {s['not_judged']} not judged; "
        f"{results['scale']['listings']:,} listings / {results['scale']['bookings']:,} bookings "
        f"({plan['name']} plan), commit {results['commit'][:10]}"
        f"{' (uncommitted changes)' if results['dirty'] else ''}, {results['seconds']:.0f} s"
    )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    lines = ["| path | measured | target | verdict | detail |", "|---|---|---|---|---|"]
    for r in results["rows"]:
        detail = _extra(r, results["measurements"]).replace("|", "\\|")
        lines.append(
            f"| {r['title']} | {fmt(r['value'], r['unit'])} | {target_text(r)} | "
            f"{verdict(r)} | {detail} |"
        )
    return "\n".join(lines)


# --- chart ----------------------------------------------------------------------------------------


def chart(results: dict, path: Path) -> None:
    """Each judged figure as the share of its target it uses (1 = exactly the target; less is
    better whichever way the target points), on a log scale, met in green, missed in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Judged rows only: a figure without a target (or not judged at this scale) has no share.
    rows = [r for r in results["rows"] if r["target"] is not None and r["pass"] is not None]
    labels, shares, colours, notes = [], [], [], []
    for r in reversed(rows):
        labels.append(r["title"] if len(r["title"]) <= 60 else r["title"][:57] + "…")
        share = r["share"]
        if share is None or not math.isfinite(share):
            share = 1.0
        shares.append(share)
        colours.append("#2e7d32" if r["pass"] else "#c62828")
        notes.append(
            "error"
            if r.get("error") and r["pass"] is not None
            else f"{fmt(r['value'], r['unit'])} ({target_text(r)})"
        )
    figure, axes = plt.subplots(figsize=(11, 0.42 * len(rows) + 1.6), dpi=100)
    bars = axes.barh(range(len(rows)), shares, color=colours)
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.set_xscale("log")
    axes.axvline(1.0, color="black", linewidth=1)
    low = min([*shares, 0.1]) / 1.5
    high = max([*shares, 2.0]) * 10  # room for the labels right of the bars
    axes.set_xlim(low, high)
    for bar, note in zip(bars, notes, strict=True):
        axes.text(
            bar.get_width() * 1.08,
            bar.get_y() + bar.get_height() / 2,
            note,
            va="center",
            fontsize=7,
        )
    axes.set_xlabel(
        "share of target used (figure ÷ target; for rows/s target ÷ figure); ≤ 1 is met"
    )
    s = results["scale"]
    axes.set_title(
        f"make bench: {s['listings']:,} listings / {s['bookings']:,} bookings, "
        f"commit {results['commit'][:10]}, {results['finished_at'][:16]} UTC",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
