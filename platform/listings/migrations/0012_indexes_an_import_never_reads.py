"""Indexes a listings import wrote and no query reads (each one more entry per row written;
10,000 listings with 25,000 amenity links per import):

- listings_listing.created_at: `listing_newest_first` (created_at DESC, id DESC) serves it.
- historicallisting.created_at and .host: history is read by listing, date and actor.
- historicallisting_amenities.id, .listing, .amenity: these rows are read by history row only.
- listings_listing_amenities.listing_id: the (listing_id, amenity_id) unique index starts with
  it. The through table is Django's own (no field to change), so this one is dropped by name
  found in the database: whatever Django called the single-column index on listing_id.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

THROUGH = "listings_listing_amenities"


def _listing_id_indexes(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, THROUGH)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"]
        and info["columns"] == ["listing_id"]
    ]  # fmt: skip


def drop_through_listing_index(apps, schema_editor):
    through = apps.get_model("listings", "Listing").amenities.through
    for name in _listing_id_indexes(schema_editor):
        schema_editor.execute(schema_editor._delete_index_sql(through, name))


def restore_through_listing_index(apps, schema_editor):
    through = apps.get_model("listings", "Listing").amenities.through
    if not _listing_id_indexes(schema_editor):
        field = through._meta.get_field("listing")
        schema_editor.execute(schema_editor._create_index_sql(through, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0011_history_actor_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicallisting",
            name="created_at",
            field=models.DateTimeField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="historicallisting",
            name="host",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicallisting_amenities",
            name="amenity",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="listings.amenity",
            ),
        ),
        migrations.AlterField(
            model_name="historicallisting_amenities",
            name="id",
            field=models.BigIntegerField(auto_created=True, blank=True, verbose_name="ID"),
        ),
        migrations.AlterField(
            model_name="historicallisting_amenities",
            name="listing",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="listings.listing",
            ),
        ),
        migrations.AlterField(
            model_name="listing",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.RunPython(drop_through_listing_index, restore_through_listing_index),
    ]
