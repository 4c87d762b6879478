import graphene

from calendars.selectors import listing_availability_cached
from calendars.services import validate_range

from ..context import current_user
from ..errors import refusals_as_errors
from ..listings.queries import readable_listing
from .types import AvailabilityDay


class CalendarQueries(graphene.ObjectType):
    availability = graphene.List(
        graphene.NonNull(AvailabilityDay),
        listing_id=graphene.UUID(required=True),
        start=graphene.Date(required=True),
        end=graphene.Date(required=True, description="Exclusive; at most 366 days after start."),
        description="Night by night from start to end: free or not, and the price.",
    )

    @refusals_as_errors
    def resolve_availability(root, info, listing_id, start, end):
        # REST's order: an invisible listing is not_found before its dates are looked at.
        listing = readable_listing(current_user(info), listing_id)
        validate_range(start, end)
        return listing_availability_cached(listing, start, end)
