"""List filters and the paginator that keep changelists flat as tables grow.

At 10,000 listings and 100,000 bookings the stock pieces put the cost in the wrong place: a
related-object filter renders every row of the related table as an <option> (10,019 listings,
6,000 people: megabytes of HTML), a distinct-values filter over a joined column reads the whole
join, and the paginator counts every row exactly. Here:

- `AutocompleteFilter`: a foreign-key filter that renders one select2 box and asks the target
  model's admin (its own scoping and search_fields) for matches as the person types; the page
  carries no options at all.
- `listing_values_filter`: the distinct values of a listing column (city, country), answered by
  the listings table alone (also for bookings: no bookings-listings join) within the viewer's
  scope, cached until the next write to any listing.
- `EstimatedCountPaginator`: exact counts up to a cap, PostgreSQL's own estimates beyond it.
"""

from __future__ import annotations

import json

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeNumericFilter

from common.cache import cached_read
from listings.cache import cache_seconds, search_token
from listings.models import Listing

from ..roles import Role, request_role


class AutocompleteFilter(AutocompleteSelectFilter):
    """A foreign-key filter as one autocomplete box (unfold's), whatever the size of the related
    table. Matches come from the related model's admin through Django's autocomplete view, so
    they obey that admin's scoping and search fields."""


def listing_values_filter(field_path: str, title: str):
    """A filter over the distinct values of a Listing column, for the Listing changelist
    (`"city"`) or a model that points at listings (`"listing__city"` on bookings).

    The values come from the listings the viewer may see (the Listing admin's own scoping:
    staff everything, a host their own) and never from a join with the filtered table: reading
    them from 100,000 bookings cost 115 ms where the listings table answers in a few. They are
    cached per scope under the listings' search token, which every write to a listing, its
    calendar, bookings or reviews replaces (listings.cache): a new city shows up at once."""
    column = field_path.rsplit("__", 1)[-1]

    class ListingValuesFilter(SimpleListFilter):
        parameter_name = field_path

        def lookups(self, request, model_admin):
            listing_admin = model_admin.admin_site.get_model_admin(Listing)
            return [(v, v) for v in scoped_listing_values(request, listing_admin, column)]

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field_path: self.value()})
            return queryset

    ListingValuesFilter.title = title
    ListingValuesFilter.__name__ = f"ListingValuesFilter_{field_path}"
    return ListingValuesFilter


def scoped_listing_values(request, listing_admin, column: str) -> list[str]:
    """The distinct non-empty values of a listing column among the listings this person may
    see (`listing_admin`'s scoping), sorted; cached per scope until a listing changes."""
    role = request_role(request)
    scope = request.user.pk if role == Role.HOST else role
    key = f"backoffice:listing-values:v1:{column}:{scope}:{search_token()}"

    def build():
        listings = listing_admin.get_queryset(request)
        values = listings.order_by(column).values_list(column, flat=True).distinct()
        return [v for v in values if v]

    return cached_read(key, build, cache_seconds("search"))


def _table_estimate(queryset: QuerySet) -> int:
    """PostgreSQL's row estimate for a whole table (kept by autovacuum/ANALYZE); -1 when the
    table was never analysed."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else -1


def _plan_estimate(queryset: QuerySet) -> int:
    """The planner's estimate of how many rows the query returns (no rows are read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to `cap` rows and estimates beyond: an exact COUNT(*) over 100,000
    bookings was the most expensive query of the page, and nobody needs "page 2,001 of 2,001"
    to be exact.

    Unfiltered, the table's statistics answer without reading it. Filtered, the planner's
    estimate comes first (an EXPLAIN reads no rows): above the cap it is the answer; below it
    the rows are counted, never more than `cap + 1` of them (a filter the planner misjudged
    still costs at most that). Counting a seventh of 100,000 bookings (one city) took 150 ms;
    its estimate takes one. The last page of a long list may come out short or empty; every
    row is still reachable. Other databases (SQLite in development) count exactly."""

    cap = 1_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        if queryset.query.is_sliced:
            return super().count
        if not queryset.query.where and not queryset.query.combinator:
            estimate = _table_estimate(queryset)
            if estimate > self.cap:
                return estimate
        else:
            estimate = _plan_estimate(queryset)
            if estimate > self.cap:
                return estimate
        counted = queryset.order_by()[: self.cap + 1].count()
        return counted if counted <= self.cap else max(estimate, counted)


class StrictRangeNumericFilter(RangeNumericFilter):
    """unfold's numeric range filter ignores a value it cannot read (?nightly_price_from=abc),
    so the list (and an export) silently showed everything: refuse it instead. The changelist
    then shows Django's invalid-filter page, the export a 400."""

    def queryset(self, request, queryset):
        filtered = super().queryset(request, queryset)
        if filtered is None:
            raise IncorrectLookupParameters(f"{self.parameter_name}: not a number")
        return filtered
