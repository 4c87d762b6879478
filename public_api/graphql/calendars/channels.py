"""Channel sync in GraphQL: REST's listings/{id}/channels/ with the same rules and codes."""

from datetime import date

import graphene

from calendars.channels import channel_feed_add, channel_feed_delete, channel_feed_sync
from calendars.selectors import channel_feeds_of
from common.errors import NotFound

from ..context import require_user
from ..errors import refusals_as_errors
from ..listings.queries import visible_listing
from ..mutations import DomainMutation


class ChannelConflict(graphene.ObjectType):
    uid = graphene.String(required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True)


class ChannelFeed(graphene.ObjectType):
    """Another channel's iCal export whose events block your listing."""

    id = graphene.UUID(required=True)
    name = graphene.String(required=True)
    url = graphene.String(required=True)
    last_synced_at = graphene.DateTime(description="Last successful sync.")
    last_attempt_at = graphene.DateTime()
    last_error = graphene.String(required=True, description="Empty when the last sync worked.")
    conflicts = graphene.List(
        graphene.NonNull(ChannelConflict),
        required=True,
        description="Events that overlap your bookings or blocks (nothing of yours moved).",
    )
    block_count = graphene.Int(required=True)

    def resolve_conflicts(feed, info):
        return [
            {
                "uid": c["uid"],
                "start": date.fromisoformat(c["start"]),
                "end": date.fromisoformat(c["end"]),
            }
            for c in feed.conflicts
        ]


def feeds(user, listing_id):
    return channel_feeds_of(visible_listing(user, listing_id), user)


def feed_of(user, listing_id, channel_id):
    feed = feeds(user, listing_id).filter(pk=channel_id).first()
    if feed is None:
        raise NotFound()
    return feed


class ChannelQueries(graphene.ObjectType):
    channel_feeds = graphene.List(
        graphene.NonNull(ChannelFeed),
        listing_id=graphene.UUID(required=True),
        description="Your listing's synced calendars.",
    )

    @refusals_as_errors
    def resolve_channel_feeds(root, info, listing_id):
        return feeds(require_user(info), listing_id)


class AddChannelFeedInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    url = graphene.String(required=True, description="http or https, a public address.")
    name = graphene.String()


class AddChannelFeed(DomainMutation):
    class Arguments:
        input = AddChannelFeedInput(required=True)

    channel_feed = graphene.Field(ChannelFeed)
    field_renames = {"listing": "listingId"}

    @classmethod
    def perform(cls, info, *, listing_id, url, name=None):
        user = require_user(info)
        feeds(user, listing_id)  # others: not_found
        listing = visible_listing(user, listing_id)
        feed = channel_feed_add(listing=listing, actor=user, url=url, name=name or "")
        return {"channel_feed": feed_of(user, listing_id, feed.pk)}


class ChannelFeedInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    channel_id = graphene.UUID(required=True)


class DeleteChannelFeed(DomainMutation):
    class Arguments:
        input = ChannelFeedInput(required=True)

    deleted = graphene.Boolean()
    field_renames = {"listing": "listingId", "channel": "channelId"}

    @classmethod
    def perform(cls, info, *, listing_id, channel_id):
        user = require_user(info)
        channel_feed_delete(feed=feed_of(user, listing_id, channel_id), actor=user)
        return {"deleted": True}


class SyncChannelFeed(DomainMutation):
    """Fetch the feed now; a failure is reported in lastError."""

    class Arguments:
        input = ChannelFeedInput(required=True)

    channel_feed = graphene.Field(ChannelFeed)
    field_renames = {"listing": "listingId", "channel": "channelId"}

    @classmethod
    def perform(cls, info, *, listing_id, channel_id):
        user = require_user(info)
        channel_feed_sync(feed_of(user, listing_id, channel_id))
        return {"channel_feed": feed_of(user, listing_id, channel_id)}


class ChannelMutations(graphene.ObjectType):
    add_channel_feed = AddChannelFeed.Field()
    delete_channel_feed = DeleteChannelFeed.Field()
    sync_channel_feed = SyncChannelFeed.Field()
