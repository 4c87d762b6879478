"""Throughput of the listing import at 10,000 rows: the service (`listing_import_run`, what the
worker runs) and the admin's resource (what the preview and confirm requests run).

    python manage.py shell -c "from backoffice.resources.bench_import import main; main()"

`measure(rows)` returns the figures as a dict (rows/s by wall clock and by this process's CPU
time: on a shared machine the second says what the code costs). Everything happens in one
transaction rolled back at the end, so the database is left as it was. ROWS=... in the
environment changes the size. Run on PostgreSQL: the writes use COPY there.
"""

import csv
import io
import os
import time

from django.db import connection, transaction

from backoffice.resources.listings import ListingCSV, ListingResource
from listings.imports import listing_import_run
from listings.models import Amenity, Listing

AMENITIES = ("wifi", "kitchen", "pool", "parking", "washer")
COLUMNS = ["external_id", "title", "description", "city", "country", "nightly_price", "currency",
           "max_guests", "bedrooms", "instant_book", "amenities"]  # fmt: skip


def build_csv(rows: int, price: str = "80.00", prefix: str = "BENCH") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(rows):
        writer.writerow([f"{prefix}-{n}", f"Bench flat {n}", "A quiet flat near the river.",
                         "Porto", "PT", price, "EUR", 1 + n % 6, 1 + n % 3, n % 2,
                         ", ".join(AMENITIES[: 1 + n % 4])])  # fmt: skip
    return out.getvalue().encode()


def _timed(results: dict, label: str, rows: int, func, counts):
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = func()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    results[label] = {
        "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
        "rows_per_s": round(rows / wall), "rows_per_cpu_s": round(rows / cpu),
        "counts": counts(outcome),
    }  # fmt: skip
    print(f"{label:<40} {wall:6.2f} s  {rows / wall:7.0f} rows/s  (CPU {cpu:5.2f} s, "
          f"{rows / cpu:7.0f} rows/CPU-s)  {results[label]['counts']}")  # fmt: skip


def measure(rows: int = 10_000) -> dict:
    """Preview and confirm of an all-new file, a re-import changing every price, through the
    service and through the admin's resource; returns {label: figures}."""
    from django.contrib.auth import get_user_model

    results: dict = {"rows": rows, "database": connection.vendor}
    service_counts = lambda report: {k: v for k, v in report.counts.items() if v}  # noqa: E731
    resource_counts = lambda result: {k: v for k, v in result.totals.items() if v}  # noqa: E731
    with transaction.atomic():
        user = get_user_model().objects.create_user("bench-importer@example.test")
        for slug in AMENITIES:
            Amenity.objects.get_or_create(slug=slug, defaults={"name": slug.title()})

        def service(content: bytes, dry_run: bool):
            return lambda: listing_import_run(user=user, content=content, dry_run=dry_run)

        def resource(content: bytes, dry_run: bool):
            def run():
                dataset = ListingCSV().create_dataset(content)
                return ListingResource().import_data(dataset, dry_run=dry_run, user=user)

            return run

        first, second = build_csv(rows, prefix="SVC"), build_csv(rows, "85.00", prefix="SVC")
        _timed(results, "service: preview, all new", rows, service(first, True), service_counts)
        _timed(results, "service: confirm, all new", rows, service(first, False), service_counts)
        _timed(results, "service: every price changed", rows, service(second, False),
               service_counts)  # fmt: skip
        first, second = build_csv(rows, prefix="ADM"), build_csv(rows, "85.00", prefix="ADM")
        _timed(results, "admin resource: preview, all new", rows, resource(first, True),
               resource_counts)  # fmt: skip
        _timed(results, "admin resource: confirm, all new", rows, resource(first, False),
               resource_counts)  # fmt: skip
        _timed(results, "admin resource: every price changed", rows, resource(second, False),
               resource_counts)  # fmt: skip
        results["listings_written"] = Listing.objects.filter(host=user).count()
        results["history_rows"] = Listing.history.filter(history_user=user).count()
        transaction.set_rollback(True)
    return results


def main(rows: int | None = None) -> dict:
    rows = rows or int(os.environ.get("ROWS", "10000"))
    print(f"{rows} rows on {connection.vendor}")
    results = measure(rows)
    print(f"listings written: {results['listings_written']}, "
          f"history rows: {results['history_rows']}")  # fmt: skip
    return results
