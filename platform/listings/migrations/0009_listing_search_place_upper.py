"""Search by place in any case: the (status, city) and (status, country) indexes were never used
(`iexact` compiles to UPPER(column)), replaced by indexes on UPPER(city) and UPPER(country)."""


import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0008_listing_search_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_search_city',
        ),
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_search_country',
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(models.F('status'), django.db.models.functions.text.Upper('city'), models.OrderBy(models.F('created_at'), descending=True), name='listing_search_city_ci'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(models.F('status'), django.db.models.functions.text.Upper('country'), name='listing_search_country_ci'),
        ),
    ]
