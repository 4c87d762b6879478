"""An index on the active stays by end date: the listing search checks availability for a whole
city at once, and only the stays ending after the check-in matter."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0003_channel_feeds'),
        ('listings', '0009_listing_search_place_upper'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='occupancy',
            index=models.Index(condition=models.Q(('is_active', True)), fields=['end', 'start'], name='occupancy_active_end'),
        ),
    ]
