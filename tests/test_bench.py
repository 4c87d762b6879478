"""The `make bench` harness itself: its maths, its verdicts, the shape of its results, its
baseline view, and that its hand-written SQL answers the same question as the REST search.
No timings are asserted anywhere (they only mean something in `make bench`)."""

import datetime as dt
import json

import pytest
from django.test import Client, override_settings

from bench import inproc, report, run, stats

# --- maths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5], 50, 5),
        ([1, 2, 3, 4], 50, 2.5),  # even sample: between the two middle values
        ([4, 1, 3, 2], 50, 2.5),  # order does not matter
        ([1, 2, 3, 4, 5], 0, 1),
        ([1, 2, 3, 4, 5], 100, 5),
        (list(range(1, 21)), 95, 19.05),  # NumPy's linear method
        ([10, 20], 25, 12.5),
    ],
)
def test_percentile_interpolates_linearly_between_ranks(values, q, expected):
    assert stats.percentile(values, q) == pytest.approx(expected)


def test_percentile_refuses_an_empty_sample_or_a_bad_rank():
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1], 101)


def test_ratios_are_taken_pair_by_pair():
    # A slow moment hits both sides of a pair: the pair ratio stays 2 while the medians mislead.
    a, b = [2, 4, 200, 6], [1, 2, 100, 3]
    assert stats.pair_ratios(a, b) == [2, 2, 2, 2]
    result = stats.Pairs(a, b).as_dict()
    assert result["ratio"] == {"p50": 2, "p95": 2}
    assert result["a"]["p50"] == 5 and result["b"]["max"] == 100 and result["a"]["n"] == 4
    with pytest.raises(ValueError):
        stats.pair_ratios([1, 2], [1])


def test_interleave_warms_up_then_alternates_which_side_goes_first():
    calls = []
    pairs = stats.interleave(
        lambda i: calls.append(("a", i)), lambda i: calls.append(("b", i)), pairs=4, warmup=2
    )
    assert calls[:4] == [("a", -1), ("b", -1), ("a", -2), ("b", -2)]
    assert calls[4:] == [("a", 0), ("b", 0), ("b", 1), ("a", 1), ("a", 2), ("b", 2),
                         ("b", 3), ("a", 3)]  # fmt: skip
    assert len(pairs.a) == len(pairs.b) == 4 and all(t >= 0 for t in pairs.a + pairs.b)


@pytest.mark.parametrize(
    ("value", "op", "target", "met", "share"),
    [
        (2.0, "<=", 3.0, True, 2 / 3),
        (3.0, "<=", 3.0, True, 1.0),
        (4.5, "<=", 3.0, False, 1.5),
        (6000, ">=", 5000, True, 5000 / 6000),
        (879, ">=", 5000, False, 5000 / 879),
    ],
)
def test_targets_point_either_way_and_share_is_at_most_one_when_met(value, op, target, met, share):
    assert stats.check(value, op, target) is met
    assert stats.share_of_target(value, op, target) == pytest.approx(share)
    assert (stats.share_of_target(value, op, target) <= 1) is met


def test_nothing_to_judge_is_not_a_pass():
    assert stats.check(None, "<=", 1) is None


# --- verdicts and results -----------------------------------------------------------------------


def pair(a, b):
    return stats.Pairs(a, b).as_dict()


def measurements():
    same = pair([2, 2, 2], [1, 1, 1])
    return {
        "search": pair([10, 12, 11], [1, 1, 1]),  # 11× against ≤ 3×: missed
        "search_filters": pair([3, 3, 3], [2, 2, 2]),
        "graphql": same,
        "detail_hit": pair([1.1, 1.1, 1.1], [1, 1, 1]),
        "detail_miss": same,
        "quote": same,
        "booking_create": {"error": "RuntimeError: need 30 instant-book listings, found 3"},
        "bookings_changelist": {**pair([5, 5, 5], [4, 4, 4]), "bytes": {"a": 420_000, "b": 9}},
        "listings_changelist": same,
        "import": {"rows_per_s": 6200.0, "max_request_ms": 2500.0, "written": 10_000,
                   "seconds": 1.6, "flow": "upload, poll", "slowest_request": "POST x 302"},
        "dashboard": {"a": stats.summary([40.0, 60.0])},
        "seed": {"scale": {"seconds": 38.0, "peak_mib": 512.0, "reused": True}, "demo": {}},
        "throughput": {"rps": 55.5, "p50_ms": 30.0, "p95_ms": 80.0, "failures": 0, "users": 8},
    }  # fmt: skip


def built(plan=run.FULL, rows=None):
    return report.build(
        plan=plan,
        rows=rows if rows is not None else measurements(),
        machine={"cores": 2, "load_before": [1.0, 1.0, 1.0], "python": "3.11.9"},
        commit="0123456789abcdef",
        dirty=False,
        scale={"listings": 10_000, "bookings": 100_000},
        seconds=12.3,
    )


def test_every_row_of_the_issue_is_judged_and_misses_are_reported_not_hidden():
    results = built()
    rows = {r["id"]: r for r in results["rows"]}
    assert set(rows) == {r[0] for r in report.ROWS}
    assert rows["search"]["value"] == 11 and rows["search"]["pass"] is False
    assert rows["search_filters"]["pass"] is True
    assert rows["bookings_changelist_kb"]["value"] == 420 and rows["bookings_changelist_kb"]["pass"]
    assert rows["import_rate"]["pass"] is True and rows["import_max_request"]["pass"] is False
    assert rows["import_max_request"]["value"] == 2.5
    assert rows["dashboard"]["value"] == 50 and rows["dashboard"]["pass"] is True
    assert rows["seed_time"]["pass"] is True and rows["seed_memory"]["pass"] is False
    # A row that failed to run is a missed target with its error, never a silent gap.
    assert rows["booking_create"]["pass"] is False
    assert "instant-book" in rows["booking_create"]["error"]
    assert rows["search_throughput"]["pass"] is None and rows["search_throughput"]["value"] == 55.5
    summary = results["summary"]
    assert summary["met"] + summary["missed"] + summary["not_judged"] == len(report.ROWS)
    assert summary["missed"] == sum(r["pass"] is False for r in results["rows"]) >= 4


def test_a_row_that_was_never_measured_is_missed():
    rows = measurements()
    del rows["quote"]
    quote = next(r for r in built(rows=rows)["rows"] if r["id"] == "quote")
    assert quote["pass"] is False and quote["error"] == "not measured"


def test_seeding_targets_are_only_judged_at_full_scale():
    rows = {r["id"]: r for r in built(plan=run.QUICK)["rows"]}
    assert rows["seed_time"]["pass"] is None and "10,000" in rows["seed_time"]["note"]
    assert rows["search"]["pass"] is False  # ratios are judged at any scale


def test_results_match_their_schema_and_survive_json():
    results = json.loads(json.dumps(built()))
    report.validate(results)
    broken = {**results, "rows": [{**results["rows"][0], "pass": "yes"}]}
    with pytest.raises(Exception, match="is not of type"):
        report.validate(broken)


def test_table_markdown_and_chart(tmp_path):
    results = built()
    text = report.table(results)
    assert "MISSED" in text and "met" in text and "ERROR" in text
    assert "11.00×" in text and "≤ 3.00×" in text
    markdown = report.markdown(results)
    assert markdown.count("\n") == len(report.ROWS) + 1
    report.write(results, tmp_path / "r.json", tmp_path / "r.png")
    assert json.loads((tmp_path / "r.json").read_text())["summary"] == results["summary"]
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_import_file_and_the_confirm_form_parser():
    data = run.import_csv("bench-import-1", 3).decode().splitlines()
    assert len(data) == 4 and data[0].startswith("external_id,")
    assert data[2].startswith("bench-import-1-1,") and data[2].endswith('"wifi,kitchen,washer"')
    html = """<form method="post"><input name="q"></form>
      <form action="/admin/listings/listing/process_import/" method="post">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok">
        <input type="hidden" name="import_file_name" value="a&amp;b.csv">
        <input type="submit" value="Confirm import"></form>"""
    action, fields = run.confirm_form(html)
    assert action == "/admin/listings/listing/process_import/"
    assert fields["csrfmiddlewaretoken"] == "tok" and fields["import_file_name"] == "a&b.csv"
    assert run.confirm_form("<form action='/x/'></form>") is None


def test_seed_key_follows_the_seed_code_and_the_counts():
    assert run.seed_key(10, 100) == run.seed_key(10, 100)
    assert run.seed_key(10, 100) != run.seed_key(10, 101)


# --- the baseline view and the same-question SQL (database) ---------------------------------------


def test_the_constant_view_exists_only_under_the_bench_urls(tmp_path, monkeypatch):
    (tmp_path / "detail.json").write_bytes(b'{"id": "x"}')
    monkeypatch.setenv("BENCH_CONSTANT_DIR", str(tmp_path))
    client = Client()
    assert client.get("/__bench__/constant/detail/").status_code == 404  # production URLs
    with override_settings(ROOT_URLCONF="bench.urls"):
        response = client.get("/__bench__/constant/detail/")
        assert response.status_code == 200 and response.content == b'{"id": "x"}'
        assert response["Content-Type"] == "application/json"
        assert client.get("/__bench__/constant/missing/").status_code == 404
        assert client.get("/__bench__/constant/..%2Fsecret/").status_code == 404


@pytest.mark.django_db
def test_hand_written_sql_answers_the_same_question_as_the_rest_search(settings):
    from demo.seed import seed_bulk

    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "100000/min"}
    seed_bulk(listings=300, bookings=900)
    client = Client()
    for filters in (False, True):
        found = 0
        for i in range(4):
            q = inproc.question(i, filters=filters)
            response = client.get("/api/v1/listings/", inproc.rest_params(q))
            assert response.status_code == 200, response.content
            body = response.json()
            count, rows = inproc.sql_answer(q)
            assert body["count"] == count
            assert [r["id"] for r in body["results"]] == [str(r[0]) for r in rows]
            found += count
        assert found > 0  # the questions have answers: the comparison means something


def test_questions_are_fresh_per_run_and_warmups_never_reuse_a_measured_day():
    days = {inproc.question(i, filters=False)["check_in"] for i in range(-20, 200)}
    assert len(days) == 220
    q = inproc.question(3, filters=True)
    assert q["check_out"] - q["check_in"] == dt.timedelta(days=3)
    assert set(q["amenities"]) == set(inproc.AMENITIES) and q["amenity_count"] == 2


def test_plans_stay_within_their_budgets():
    # Not a timing: the sizes that keep `make bench` within 15 minutes and quick near 2.
    assert (run.FULL.listings, run.FULL.bookings) == report.FULL_SCALE
    assert run.QUICK.listings < run.FULL.listings and run.QUICK.pairs < run.FULL.pairs
    assert run.FULL.throughput_seconds <= 60 and run.FULL.scale_db == "staybook_bench_scale"
    assert {run.FULL.scale_port, run.FULL.demo_port} <= set(range(8110, 8120))


def test_the_readme_block_carries_the_table_the_chart_and_the_run():
    from bench import readme

    text = readme.block(built())
    assert text.startswith(readme.START) and text.endswith(readme.END)
    assert "commit `0123456789`" in text and "10,000 listings / 100,000 bookings" in text
    assert "| REST search, city + dates + guests" in text and "MISSED" in text
    assert "(bench/results/latest.png)" in text
    assert readme.START in (readme.ROOT / "README.md").read_text()


def test_cpu_time_of_a_process_is_read_from_proc():
    import os

    spent = run.process_cpu(os.getpid())
    sum(i * i for i in range(200_000))  # some work of our own
    assert run.process_cpu(os.getpid()) >= spent > 0


def test_seed_key_ignores_formatting_and_comments(tmp_path, monkeypatch):
    code = tmp_path / "seed.py"
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.setattr(run, "SEED_CODE", [tmp_path])
    code.write_text("def seed(n):\n    return [i for i in range(n)]\n")
    key = run.seed_key(1, 2)
    code.write_text("# why\ndef seed(n):  # fmt: skip\n    return [i for i in\n range(n)]\n")
    assert run.seed_key(1, 2) == key
    code.write_text("def seed(n):\n    return [i * 2 for i in range(n)]\n")
    assert run.seed_key(1, 2) != key


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_import_is_timed_to_its_jobs_finished_at_not_to_the_poll_that_saw_it(monkeypatch):
    """The figure ends when the worker finished (it stamps finished_at after the rows are
    committed), not at the next 0.5 s poll; a file imported in the request has no job."""
    from django.db import connection
    from django.utils import timezone

    from listings.models import ListingImportJob
    from tests.factories import UserFactory

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    monkeypatch.setenv("BENCH_PG", f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}")
    assert run.job_finished_at(db["NAME"], "bench-import-7") is None
    finished = timezone.now()
    ListingImportJob.objects.create(
        user=UserFactory(), file_name="bench-import-7.csv", status="imported",
        finished_at=finished,
    )  # fmt: skip
    ListingImportJob.objects.create(user=UserFactory(), file_name="bench-import-8.csv")
    assert run.job_finished_at(db["NAME"], "bench-import-7") == pytest.approx(
        finished.timestamp(), abs=1e-3
    )
    assert run.job_finished_at(db["NAME"], "bench-import-8") is None  # still running


def test_each_run_reads_a_cache_of_its_own(monkeypatch):
    """A "cache miss" row must miss: entries an earlier run left in Redis are under another
    prefix, while one run's servers, worker and in-process rows share theirs."""
    scale = run.service_env("staybook_bench_scale")["CACHE_KEY_PREFIX"]
    assert scale == run.service_env("staybook_bench_scale")["CACHE_KEY_PREFIX"]
    monkeypatch.setattr(run, "RUN_ID", "a-later-run")
    assert run.service_env("staybook_bench_scale")["CACHE_KEY_PREFIX"] != scale
