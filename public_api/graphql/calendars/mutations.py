import graphene

from calendars.selectors import host_block_of, listing_availability
from calendars.services import (
    calendar_overrides_clear,
    calendar_range_set,
    host_block_create,
    host_block_delete,
)

from ..context import require_user
from ..listings.queries import visible_listing
from ..mutations import DomainMutation
from ..scalars import Money
from .types import AvailabilityDay, Block


class CreateBlockInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True, description="The first night that stays open.")
    note = graphene.String(description="Private to you; at most 200 characters.")


class CreateBlock(DomainMutation):
    """Close nights of your listing; refused with dates_unavailable if any is taken."""

    class Arguments:
        input = CreateBlockInput(required=True)

    block = graphene.Field(Block)
    field_renames = {"listing": "listingId"}

    @classmethod
    def perform(cls, info, *, listing_id, start, end, note=None):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        block = host_block_create(
            listing=listing, start=start, end=end, note=note or "", actor=user
        )
        return {"block": block}


class DeleteBlockInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    block_id = graphene.UUID(required=True)


class DeleteBlock(DomainMutation):
    """Reopen the nights of one of your blocks."""

    class Arguments:
        input = DeleteBlockInput(required=True)

    deleted = graphene.Boolean(description="True when the block was removed.")
    field_renames = {"listing": "listingId", "block": "blockId"}

    @classmethod
    def perform(cls, info, *, listing_id, block_id):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        block = host_block_of(listing=listing, block_id=block_id, actor=user)
        host_block_delete(block=block, actor=user)
        return {"deleted": True}


class SetCalendarInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    start = graphene.Date(required=True, description="First night.")
    end = graphene.Date(required=True, description="The night after the last one.")
    price = Money(description="Set this price on every night of the range.")
    closed = graphene.Boolean(
        description="true closes the nights (refused if one is booked); false reopens them."
    )


class SetCalendar(DomainMutation):
    """Price, close or reopen a range of nights of your listing (REST: PUT calendar/)."""

    class Arguments:
        input = SetCalendarInput(required=True)

    changed = graphene.Int(description="Nights whose price or state changed.")
    days = graphene.List(graphene.NonNull(AvailabilityDay))
    field_renames = {"listing": "listingId"}

    @classmethod
    def perform(cls, info, *, listing_id, start, end, price=None, closed=None):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        changed = calendar_range_set(
            listing=listing, start=start, end=end, price=price, closed=closed, actor=user
        )
        return {"changed": changed, "days": listing_availability(listing, start, end)}


class ClearCalendarInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True)


class ClearCalendar(DomainMutation):
    """Back to the listing's prices, nights reopened (REST: DELETE calendar/)."""

    class Arguments:
        input = ClearCalendarInput(required=True)

    changed = graphene.Int(description="Nights that had an override.")
    days = graphene.List(graphene.NonNull(AvailabilityDay))
    field_renames = {"listing": "listingId"}

    @classmethod
    def perform(cls, info, *, listing_id, start, end):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        changed = calendar_overrides_clear(listing=listing, start=start, end=end, actor=user)
        return {"changed": changed, "days": listing_availability(listing, start, end)}


class CalendarMutations(graphene.ObjectType):
    create_block = CreateBlock.Field()
    delete_block = DeleteBlock.Field()
    set_calendar = SetCalendar.Field()
    clear_calendar = ClearCalendar.Field()
