"""A GIN index on the text-search document of listings (PostgreSQL only: SQLite searches
without it). Built from `listings.selectors.text_search_vector()` so it is exactly the
expression the search filters on."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "listing_search_text"


def _index() -> GinIndex:
    # Same as listings.selectors.text_search_vector() (a migration must not import app code
    # that may change later).
    return GinIndex(
        SearchVector("title", "description", "city", config="english"), name=INDEX_NAME
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("listings", "Listing"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("listings", "Listing"), _index())


class Migration(migrations.Migration):
    dependencies = [("listings", "0007_listing_search_geo")]

    operations = [migrations.RunPython(create, drop)]
