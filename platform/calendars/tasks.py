"""Thin Celery wrappers over calendar services."""

from celery import shared_task

from common.actor import acting_as

from . import channels
from .models import ChannelFeed


@shared_task(name="calendars.sync_channel_feed", soft_time_limit=60, time_limit=75)
def sync_channel_feed(feed_id: str) -> str:
    feed = ChannelFeed.objects.select_related("listing").filter(pk=feed_id).first()
    if feed is None:
        return "missing"
    with acting_as("channel_sync"):
        feed = channels.channel_feed_sync(feed)
    return feed.last_error or "synced"


@shared_task(name="calendars.sync_channel_feeds", soft_time_limit=540, time_limit=580)
def sync_channel_feeds() -> int:
    with acting_as("channel_sync"):
        return channels.channel_feeds_sync_due()
