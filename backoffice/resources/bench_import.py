"""Benchmark: a 10,000-row listing file through ListingResource, as the admin runs it.

    python manage.py migrate
    python manage.py shell -c "from backoffice.resources.bench_import import main; main()"

Everything happens in one transaction that is rolled back at the end, so the database is left
as it was. ROWS=... in the environment changes the size.
"""

import csv
import io
import os
import time

from django.db import connection, transaction

from backoffice.resources.listings import ListingCSV, ListingResource
from listings.models import Amenity, Listing

AMENITIES = ("wifi", "kitchen", "pool", "parking", "washer")
COLUMNS = ["external_id", "title", "description", "city", "country", "nightly_price", "currency",
           "max_guests", "bedrooms", "instant_book", "amenities"]  # fmt: skip


def build_csv(rows: int, price: str = "80.00") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n in range(rows):
        writer.writerow([f"BENCH-{n}", f"Bench flat {n}", "A quiet flat near the river.",
                         "Porto", "PT", price, "EUR", 1 + n % 6, 1 + n % 3, n % 2,
                         ", ".join(AMENITIES[: 1 + n % 4])])  # fmt: skip
    return out.getvalue().encode()


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    totals = {k: v for k, v in result.totals.items() if v}
    print(f"{label:<34} {elapsed:6.2f} s  {totals}  errors={len(result.base_errors)}")
    return elapsed


def main(rows: int | None = None) -> None:
    from django.contrib.auth import get_user_model

    rows = rows or int(os.environ.get("ROWS", "10000"))
    print(f"{rows} rows on {connection.vendor}")
    with transaction.atomic():
        user = get_user_model().objects.create_user("bench-importer@example.test")
        for slug in AMENITIES:
            Amenity.objects.get_or_create(slug=slug, defaults={"name": slug.title()})

        def run(content: bytes, dry_run: bool):
            dataset = ListingCSV().create_dataset(content)
            return ListingResource().import_data(dataset, dry_run=dry_run, user=user)

        first, second = build_csv(rows), build_csv(rows, price="85.00")
        timed("preview (dry run), all new", lambda: run(first, True))
        timed("confirm, all new", lambda: run(first, False))
        timed("re-import, all unchanged", lambda: run(first, False))
        timed("re-import, every price changed", lambda: run(second, False))
        written = Listing.objects.filter(host=user).count()
        history = Listing.history.filter(history_user=user).count()
        print(f"listings written: {written}, history rows: {history}")
        transaction.set_rollback(True)
