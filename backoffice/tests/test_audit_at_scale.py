"""The audit timeline at scale: on PostgreSQL, filtering by a person reads every history table
through its indexes (no table is read whole). How fast the page is, make bench measures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.selectors import audited_models
from common.actor import acting_as
from listings.services import listing_update

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _plan(sql: str, params=None) -> str:
    """The plan PostgreSQL picks when any index path exists: with sequential scans priced
    out, a table still read whole has no index that answers the filter. (The test tables
    are small; at their size a scan is what the planner would pick anyway.)"""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def test_the_person_filter_reads_each_history_table_through_an_index(as_auditor, own_listing, host):
    """`history_user_id = … OR history_actor = …` on each table: a BitmapOr of the user's
    index and the actor label's (without the label's index: every table read whole, 160 ms
    at 100,000 bookings)."""
    with acting_as(host):
        listing_update(listing=own_listing, actor=host, title="Renamed by host")
    with CaptureQueriesContext(connection) as queries:
        page = as_auditor.get(reverse("admin:audit_timeline"), {"person": host.pk})
    assert page.status_code == 200
    assert {row["object_id"] for row in page.context["page"].object_list} == {own_listing.pk}
    timeline = [  # the page's rows (the paginator's EXPLAIN of the same query left out)
        q["sql"]
        for q in queries
        if "UNION ALL" in q["sql"] and "LIMIT" in q["sql"] and not q["sql"].startswith("EXPLAIN")
    ]
    assert timeline, [q["sql"] for q in queries]
    tables = [historical._meta.db_table for _model, historical in audited_models()]
    for sql in timeline:
        plan = _plan(sql)
        for table in tables:
            assert f" on {table}" in plan, (table, plan)  # every table is in the plan...
            assert f"Seq Scan on {table}" not in plan, (table, plan)  # ...through an index
