"""django-import-export resource for listings: CSV/XLSX in and out of the Listing admin.

The resource is an adapter: the rules (host scoping, amenity slugs, field validation, the upsert
key, all-or-nothing) live in listings.imports. What it adds is the import-export plumbing:

- `before_import` builds one `ListingImport` plan for the whole file. Its preload (hosts,
  amenities, the importer's existing listings and their amenities, one query each) is the
  cached instance loading: import-export's CachedInstanceLoader only supports a single id
  column, and our key is (host, external_id).
- `import_row` turns the plan's verdict for the row into a RowResult: new / update /
  skip (= unchanged) / invalid with a message per field, for the admin's preview.
- bulk mode (`use_bulk`, `skip_diff`, `batch_size`): import-export hands batches of new and
  changed listings to `bulk_create` / `bulk_update`, which write them through the plan with
  common.history's bulk helpers (COPY on PostgreSQL). A dry run writes nothing at all.
- exports neutralise formula-like text cells (SafeExportResource, see `neutralise`).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from import_export import fields
from import_export.formats import base_formats
from import_export.results import RowResult

from common.errors import DomainError
from listings import imports
from listings.imports import RowKind
from listings.models import Amenity, Listing

from .export import SafeExportResource, neutralise  # noqa: F401  (neutralise: re-exported)

ROW_TYPES = {
    RowKind.NEW: RowResult.IMPORT_TYPE_NEW,
    RowKind.UPDATED: RowResult.IMPORT_TYPE_UPDATE,
    RowKind.UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
    RowKind.INVALID: RowResult.IMPORT_TYPE_INVALID,
}


class ListingResource(SafeExportResource):
    host_email = fields.Field(attribute="host__email", column_name="host_email")
    amenities = fields.Field(column_name="amenities")
    status = fields.Field(attribute="status", column_name="status", readonly=True)

    class Meta:
        model = Listing
        fields = (*imports.IMPORT_COLUMNS, *imports.EXPORT_ONLY_COLUMNS)
        export_order = fields
        import_id_fields = (imports.KEY_COLUMN,)
        use_bulk = True
        skip_diff = True  # no per-row deepcopy and HTML diff: the preview shows the verdict
        batch_size = imports.BATCH_SIZE
        use_transactions = True
        clean_model_instances = False  # the plan already ran the core's validation
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.plan: imports.ListingImport | None = None
        self.outcomes: dict[int, imports.RowOutcome] = {}

    @classmethod
    def get_display_name(cls):
        return "Listings"

    # --- import ------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # All or nothing: a file with an invalid row must not leave earlier batches behind.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        dataset.headers = [imports.normalise_header(h) for h in dataset.headers or []]
        try:
            self.plan = imports.ListingImport(user=kwargs.get("user"), dataset=dataset)
        except DomainError:
            del dataset[0 : len(dataset)]  # no rows to go through: the file error says it all
            raise
        self.outcomes = {o.number: o for o in self.plan.evaluate().outcomes}

    def import_row(self, row, instance_loader, **kwargs):
        outcome = self.outcomes[kwargs["row_number"]]
        row_result = self.get_row_result_class()()
        row_result.import_type = ROW_TYPES[outcome.kind]
        if outcome.kind == RowKind.INVALID:
            # The preview prints the field name before its messages already.
            row_result.validation_error = ValidationError(
                {
                    name: [m.removeprefix(f"{name}: ") for m in messages]
                    for name, messages in outcome.errors.items()
                }
            )
            return row_result
        row_result.add_instance_info(outcome.listing)
        # What the preview shows (templates/admin/import_export/import_preview.html): a new
        # row's own values, an updated row's changes as old -> new.
        row_result.outcome = outcome
        if outcome.kind == RowKind.NEW and outcome.number <= PREVIEW_ROWS:
            row_result.new_values = new_row_values(outcome.listing, row)
        if self._meta.store_instance or kwargs.get("retain_instance_in_row_result"):
            row_result.instance = outcome.listing
        if outcome.kind in (RowKind.NEW, RowKind.UPDATED):
            # queues the listing in create_instances / update_instances (bulk mode)
            self.save_instance(outcome.listing, outcome.kind == RowKind.NEW, row, **kwargs)
        return row_result

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(self.create_instances, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(self.update_instances, dry_run, raise_errors, result)

    def _write(self, instances, dry_run, raise_errors, result):
        try:
            if instances and not dry_run:
                self.plan.write(instances)
        except Exception as exc:  # reported as an error of the import; the file rolls back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            instances.clear()

    # --- export ------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        # One query for the listings with their host, one for all their amenities.
        return queryset.select_related("host").prefetch_related(
            Prefetch("amenities", queryset=Amenity.objects.only("id", "slug"))
        )

    def dehydrate_amenities(self, listing):
        return ", ".join(sorted(a.slug for a in listing.amenities.all()))


# The preview lists this many rows (templates/admin/import_export/import_preview.html slices
# the same number): enough to check a file by eye; the counts cover every row, and invalid
# rows are all listed. Rendering 4,000 rows would hold the request for seconds.
PREVIEW_ROWS = 200
PREVIEW_COLUMNS = (
    "title",
    "city",
    "country",
    "property_type",
    "max_guests",
    "nightly_price",
    "currency",
    "min_nights",
    "instant_book",
)


def new_row_values(listing, row) -> list[tuple[str, str]]:
    """(column, value) of a new listing as the import would create it."""
    values = [(name, imports.as_text(getattr(listing, name))) for name in PREVIEW_COLUMNS]
    amenities = str(row.get(imports.AMENITIES_COLUMN) or "").strip()
    if amenities:
        values.append((imports.AMENITIES_COLUMN, amenities))
    return values


class ListingCSV(base_formats.CSV):
    """CSV import that reads raw bytes itself: detects UTF-8/UTF-16 and the delimiter, and
    explains a bad file (listings.imports.read_listing_file) instead of failing on decode."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return imports.read_listing_file(in_stream, "upload.csv")


class ListingXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return imports.read_listing_file(in_stream, "upload.xlsx")


IMPORT_FORMATS = [ListingCSV, ListingXLSX]
EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]
