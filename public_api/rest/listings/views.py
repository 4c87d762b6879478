"""Listings: search, detail, the host's writes, calendar reads and writes, quotes, reviews."""

from datetime import UTC, datetime
from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from icalendar import Calendar, Event
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.services import booking_quote
from calendars.channels import channel_feed_add, channel_feed_delete, channel_feed_sync
from calendars.selectors import (
    channel_feeds_of,
    host_block_of,
    listing_availability,
    listing_availability_cached,
    listing_with_stay_calendar,
    occupied_ranges,
)
from calendars.services import (
    calendar_overrides_clear,
    calendar_range_set,
    host_block_create,
    host_block_delete,
    validate_range,
)
from common.dates import today_in
from common.errors import DomainError
from listings.models import ListingPhoto
from listings.photos import listing_photo_add, listing_photo_delete, listing_photo_update
from listings.selectors import (
    ListingSearch,
    listing_published_rendered,
    listing_published_rendered_keys,
    listing_search_cached,
    listing_visible_cached,
    listing_visible_to,
)
from listings.services import listing_create, listing_delete, listing_update
from public_api.rest.errors import as_unbookable
from public_api.rest.lookups import get_visible, parse_uuid
from public_api.rest.openapi import with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.parsers import PhotoMultiPartParser
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query
from public_api.rest.rendered import RenderedJSONResponse, render_json
from reviews.selectors import review_list_published
from wishlists.selectors import saved_listing_ids

from . import serializers as s

LISTING_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
BLOCK_ID = OpenApiParameter("block_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def visible_listing(request, pk):
    return get_visible(listing_visible_to(request.user), pk)


def readable_listing(request, pk):
    """For GET views: the same listing as `visible_listing`, published ones from the cache."""
    listing = listing_visible_cached(request.user, parse_uuid(pk, "id"))
    if listing is None:
        raise NotFound()
    return listing


class ListingListView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="listings_list",
        parameters=[
            s.ListingSearchQuery,
        ],
        responses=with_errors({200: s.ListingItem(many=True)}, 400, 401, 404),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request):
        query = parse_query(s.ListingSearchQuery, request, extra=PAGINATION_PARAMS)
        if query.get("mine") and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to list your own listings.")
        params = ListingSearch(
            city=query.get("city"),
            country=query.get("country"),
            check_in=query.get("check_in"),
            check_out=query.get("check_out"),
            guests=query.get("guests"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            amenities=_slugs(query.get("amenities", "")),
            ordering=query.get("ordering") or "newest",
            mine_for=request.user if query.get("mine") else None,
            bbox=query.get("bbox"),
            near=query.get("near"),
            radius_km=query.get("radius_km"),
            q=query.get("q"),
            currency=query.get("currency"),
        )
        paginator = self.pagination_class()
        # The results are shared by everyone (cached); the caller's saved flags are read for
        # the page alone, in one query.
        page = paginator.paginate_queryset(listing_search_cached(params), request, view=self)
        saved = saved_listing_ids(request.user, [listing.pk for listing in page])
        for listing in page:
            listing.is_saved = listing.pk in saved
        data = s.ListingItem(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="listings_create",
        request=s.ListingInput,
        responses=with_errors({201: s.ListingDetail}, 400, 401),
    )
    def post(self, request):
        data = s.ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listing_create(actor=request.user, **data.validated_data)
        return Response(_detail(request, listing.pk), status=status.HTTP_201_CREATED)


def _slugs(raw: str) -> tuple[str, ...]:
    return tuple(sorted({slug.strip() for slug in raw.split(",") if slug.strip()}))


def _detail(request, pk) -> dict:
    """The listing as stored, re-read with its relations (the response shows the truth)."""
    listing = listing_visible_to(request.user).get(pk=pk)
    return s.ListingDetail(listing, context={"request": request}).data


class ListingDetailView(APIView):
    @extend_schema(
        operation_id="listings_retrieve",
        parameters=[LISTING_ID],
        responses=with_errors({200: s.ListingDetail}, 400, 404),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, id):
        if request.user.is_authenticated:  # `saved` and their own drafts: read for them
            listing = readable_listing(request, id)
            return Response(s.ListingDetail(listing, context={"request": request}).data)
        # Signed out, the body depends only on the listing and the site's address (photo URLs
        # are absolute): a cache hit sends the stored JSON bytes, nothing serialized or rendered.
        body = listing_published_rendered(
            parse_uuid(id, "id"),
            self._variant(request),
            lambda listing: render_json(
                s.ListingDetail(listing, context={"request": request}).data
            ),
            found=getattr(request, "read_ahead", None),
        )
        if body is None:
            raise NotFound()
        return RenderedJSONResponse(body)

    def read_ahead(self, request) -> list[str]:
        """The signed-out body's cache keys, read by the throttles' round trip (a hit then
        makes no other)."""
        if request.method != "GET" or request.user.is_authenticated:
            return []
        try:
            listing_id = parse_uuid(self.kwargs["id"], "id")
        except ValidationError:
            return []  # get() answers the 400
        return listing_published_rendered_keys(listing_id, self._variant(request))

    @staticmethod
    def _variant(request) -> str:
        return f"json:{request.build_absolute_uri('/')}"

    @extend_schema(
        operation_id="listings_update",
        parameters=[LISTING_ID],
        request=s.ListingInput(partial=True),
        responses=with_errors({200: s.ListingDetail}, 400, 401, 403, 404),
    )
    def patch(self, request, id):
        listing = visible_listing(request, id)
        data = s.ListingInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        # `status` publishes or unpublishes in the same transaction as the field changes.
        listing = listing_update(listing=listing, actor=request.user, **data.validated_data)
        return Response(_detail(request, listing.pk))

    @extend_schema(
        operation_id="listings_destroy",
        parameters=[LISTING_ID],
        responses=with_errors(
            {
                204: OpenApiResponse(description="Deleted."),
                200: OpenApiResponse(
                    s.ListingDetail,
                    description="The listing has bookings: it was unpublished instead.",
                ),
            },
            400,
            401,
            403,
            404,
        ),
    )
    def delete(self, request, id):
        listing = visible_listing(request, id)
        if listing_delete(listing=listing, actor=request.user):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_detail(request, listing.pk))


class AvailabilityView(APIView):
    @extend_schema(
        operation_id="listings_availability",
        parameters=[LISTING_ID, s.DateRangeQuery],
        responses=with_errors({200: s.Availability}, 400, 404),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, id):
        listing = readable_listing(request, id)
        query = parse_query(s.DateRangeQuery, request)
        validate_range(query["start"], query["end"])
        days = listing_availability_cached(listing, query["start"], query["end"])
        return Response(s.Availability({"days": days}).data)


class QuoteView(APIView):
    @extend_schema(
        operation_id="listings_quote",
        parameters=[LISTING_ID, s.QuoteQuery],
        responses=with_errors({200: s.Quote}, 400, 404, 409),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, id):
        listing_id = parse_uuid(id, "id")
        query = self.parse_stay(request, listing_id)
        # The listing's terms (not its host, amenities or photos) and the stay's calendar.
        found = listing_with_stay_calendar(
            request.user, listing_id, query["check_in"], query["check_out"]
        )
        if found is None:
            raise NotFound()
        listing, calendar = found
        guest = request.user if request.user.is_authenticated else None
        try:
            quote = booking_quote(listing=listing, guest=guest, calendar=calendar, **query)
        except DomainError as error:
            raise as_unbookable(error) from error
        body = {
            **vars(quote),
            "listing": listing.pk,
            "guests": query["guests"],
            "nights": quote.nights,
        }
        return Response(s.quote_data(body))

    @staticmethod
    def parse_stay(request, listing_id: UUID) -> dict:
        """The query; a listing the caller cannot see is a 404 even when the query is bad
        (as when the listing is looked up first)."""
        try:
            return parse_query(s.QuoteQuery, request)
        except ValidationError:
            if not listing_visible_to(request.user).filter(pk=listing_id).exists():
                raise NotFound() from None
            raise


class ListingReviewsView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="listings_reviews",
        parameters=[
            LISTING_ID,
        ],
        responses=with_errors({200: s.ListingReview(many=True)}, 400, 404),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, id):
        listing = visible_listing(request, id)
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            review_list_published(listing=listing), request, view=self
        )
        return paginator.get_paginated_response(s.ListingReview(page, many=True).data)


class BlockCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_blocks_create",
        parameters=[LISTING_ID],
        request=s.BlockInput,
        responses=with_errors({201: s.Block}, 400, 401, 403, 404, 409),
    )
    def post(self, request, id):
        listing = visible_listing(request, id)
        data = s.BlockInput(data=request.data)
        data.is_valid(raise_exception=True)
        block = host_block_create(listing=listing, actor=request.user, **data.validated_data)
        return Response(s.Block(block).data, status=status.HTTP_201_CREATED)


class BlockDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_blocks_destroy",
        parameters=[LISTING_ID, BLOCK_ID],
        request=None,
        responses=with_errors({204: OpenApiResponse(description="Removed.")}, 400, 401, 404),
    )
    def delete(self, request, id, block_id):
        listing = visible_listing(request, id)
        block = host_block_of(
            listing=listing, block_id=parse_uuid(block_id, "block_id"), actor=request.user
        )
        host_block_delete(block=block, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarView(APIView):
    """The host's calendar over a date range: prices and closed nights (bookings and host
    blocks have their own endpoints). Read it with availability/."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_calendar_update",
        parameters=[LISTING_ID],
        request=s.CalendarInput,
        responses=with_errors({200: s.CalendarChange}, 400, 401, 403, 404, 409),
        description=(
            "Set a price on, close, or reopen the nights [start, end). Past nights cannot "
            "change, prices must be positive, a booked night cannot close (409 "
            "dates_unavailable, nothing changed)."
        ),
    )
    def put(self, request, id):
        listing = visible_listing(request, id)
        data = s.CalendarInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = calendar_range_set(listing=listing, actor=request.user, **data.validated_data)
        return Response(_calendar_change(listing, data.validated_data, changed))

    @extend_schema(
        operation_id="listings_calendar_clear",
        parameters=[LISTING_ID, s.DateRangeQuery],
        request=None,
        responses=with_errors({200: s.CalendarChange}, 400, 401, 403, 404),
        description="Back to the listing's prices, nights reopened, over [start, end).",
    )
    def delete(self, request, id):
        listing = visible_listing(request, id)
        query = parse_query(s.DateRangeQuery, request)
        changed = calendar_overrides_clear(listing=listing, actor=request.user, **query)
        return Response(_calendar_change(listing, query, changed))


def _calendar_change(listing, dates, changed) -> dict:
    days = listing_availability(listing, dates["start"], dates["end"])
    return s.CalendarChange({"changed": changed, "days": days}).data


CHANNEL_ID = OpenApiParameter("channel_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def _feed_out(listing, user, feed) -> dict:
    return s.ChannelFeedOut(channel_feeds_of(listing, user).get(pk=feed.pk)).data


class ChannelListView(APIView):
    """Channel sync: other marketplaces' iCal exports whose events block this listing."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_channels_list",
        parameters=[LISTING_ID],
        responses=with_errors({200: s.ChannelFeedOut(many=True)}, 400, 401, 404),
        description="Your listing's synced calendars: last sync, last error, conflicts.",
    )
    def get(self, request, id):
        listing = visible_listing(request, id)
        parse_query(NoQuery, request)
        feeds = channel_feeds_of(listing, request.user)
        return Response(s.ChannelFeedOut(feeds, many=True).data)

    @extend_schema(
        operation_id="listings_channels_create",
        parameters=[LISTING_ID],
        request=s.ChannelFeedInput,
        responses=with_errors({201: s.ChannelFeedOut}, 400, 401, 404, 409),
        description=(
            "Register another channel's iCal export URL (http or https, public addresses "
            "only). It is fetched now and every CHANNEL_SYNC_INTERVAL_MINUTES; each event "
            "becomes a host block, bookings are never touched (overlaps are reported)."
        ),
    )
    def post(self, request, id):
        listing = visible_listing(request, id)
        channel_feeds_of(listing, request.user)  # others: 404, like host blocks
        data = s.ChannelFeedInput(data=request.data)
        data.is_valid(raise_exception=True)
        feed = channel_feed_add(listing=listing, actor=request.user, **data.validated_data)
        return Response(_feed_out(listing, request.user, feed), status=status.HTTP_201_CREATED)


class ChannelDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_channels_destroy",
        parameters=[LISTING_ID, CHANNEL_ID],
        request=None,
        responses=with_errors({204: OpenApiResponse(description="Removed.")}, 400, 401, 404),
        description="Stop syncing; the feed's blocks are removed.",
    )
    def delete(self, request, id, channel_id):
        listing = visible_listing(request, id)
        feed = get_visible(channel_feeds_of(listing, request.user), channel_id, "channel_id")
        channel_feed_delete(feed=feed, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelSyncView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="listings_channels_sync",
        parameters=[LISTING_ID, CHANNEL_ID],
        request=None,
        responses=with_errors({200: s.ChannelFeedOut}, 400, 401, 404),
        description="Fetch the feed now; a failure is reported in last_error (still a 200).",
    )
    def post(self, request, id, channel_id):
        listing = visible_listing(request, id)
        feed = get_visible(channel_feeds_of(listing, request.user), channel_id, "channel_id")
        channel_feed_sync(feed)
        return Response(_feed_out(listing, request.user, feed))


PHOTO_ID = OpenApiParameter("photo_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class PhotoCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [PhotoMultiPartParser]

    @extend_schema(
        operation_id="listings_photos_create",
        parameters=[LISTING_ID],
        request={"multipart/form-data": s.PhotoUpload},
        responses=with_errors({201: s.HostPhoto}, 400, 401, 403, 404, 409),
        description=(
            "Add a photo (multipart, file in `image`). Checked by content: JPEG, PNG or WebP, at "
            "most 10 MB and 40 megapixels; stored re-encoded without EXIF or other metadata. "
            "Its renditions (thumbnail, card, large) are made by a background task."
        ),
    )
    def post(self, request, id):
        listing = visible_listing(request, id)
        data = s.PhotoUpload(data=request.data)
        data.is_valid(raise_exception=True)
        photo = listing_photo_add(listing=listing, actor=request.user, **data.validated_data)
        return Response(
            s.HostPhoto(photo, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class PhotoDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _photo(self, request, id, photo_id):
        listing = visible_listing(request, id)
        return get_visible(
            ListingPhoto.objects.select_related("listing").filter(listing=listing),
            photo_id,
            "photo_id",
        )

    @extend_schema(
        operation_id="listings_photos_retrieve",
        parameters=[LISTING_ID, PHOTO_ID],
        responses=with_errors({200: s.HostPhoto}, 400, 401, 404),
    )
    def get(self, request, id, photo_id):
        photo = self._photo(request, id, photo_id)
        parse_query(NoQuery, request)
        return Response(s.HostPhoto(photo, context={"request": request}).data)

    @extend_schema(
        operation_id="listings_photos_update",
        parameters=[LISTING_ID, PHOTO_ID],
        request=s.PhotoUpdate,
        responses=with_errors({200: s.HostPhoto}, 400, 401, 403, 404),
        description="Change the caption, or move the photo (`position` 0 is the first).",
    )
    def patch(self, request, id, photo_id):
        photo = self._photo(request, id, photo_id)
        data = s.PhotoUpdate(data=request.data)
        data.is_valid(raise_exception=True)
        photo = listing_photo_update(photo=photo, actor=request.user, **data.validated_data)
        return Response(s.HostPhoto(photo, context={"request": request}).data)

    @extend_schema(
        operation_id="listings_photos_destroy",
        parameters=[LISTING_ID, PHOTO_ID],
        request=None,
        responses=with_errors({204: OpenApiResponse(description="Deleted.")}, 400, 401, 403, 404),
    )
    def delete(self, request, id, photo_id):
        listing_photo_delete(photo=self._photo(request, id, photo_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ICalendarRenderer(BaseRenderer):
    """Lets a client ask for `Accept: text/calendar` (errors are then JSON text)."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return JSONRenderer().render(data)


class CalendarQuery(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["ics"],
        required=False,
        help_text="The feed is iCalendar whatever is asked; `format=ics` is accepted for "
        "calendar apps that add it.",
    )


class CalendarFeedView(APIView):
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="listings_calendar_ics",
        # DRF's own `format` override (ics or json) is replaced by the one the view accepts
        parameters=[LISTING_ID, OpenApiParameter("format", exclude=True), CalendarQuery],
        responses=with_errors(
            {
                (200, "text/calendar"): OpenApiResponse(
                    OpenApiTypes.STR, description="iCalendar: one VEVENT per occupied range."
                )
            },
            400,
            404,
        ),
        auth=[{"jwtAuth": []}, {}],
    )
    def get(self, request, id):
        listing = visible_listing(request, id)
        parse_query(CalendarQuery, request)
        feed = Calendar()
        feed.add("prodid", "-//StayBook//Availability//EN")
        feed.add("version", "2.0")
        stamp = datetime.now(UTC)
        for start, end in occupied_ranges(listing, start=today_in(listing.time_zone)):
            event = Event()
            # Only the dates: who stays (or why the host closed them) is nobody's business.
            event.add("uid", f"{listing.pk}-{start.isoformat()}@staybook")
            event.add("summary", "Unavailable")
            event.add("dtstart", start)
            event.add("dtend", end)
            event.add("dtstamp", stamp)
            feed.add_component(event)
        return HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
