from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from calendars.models import ChannelFeed, HostBlock
from listings.models import Listing, ListingPhoto
from listings.photos import RENDITIONS as PHOTO_RENDITIONS
from listings.selectors import ORDERINGS, prefetched
from listings.services import EDITABLE_FIELDS
from public_api.rest.fields import FieldsBuiltOnce, FirstNameOnly, PublicPerson, money_field
from reviews.models import Review
from wishlists.selectors import saved_listing_ids

# --- output ----------------------------------------------------------------------------------

LIST_FIELDS = [
    "id",
    "title",
    "city",
    "country",
    "property_type",
    "nightly_price",
    "currency",
    "max_guests",
    "bedrooms",
    "beds",
    "bathrooms",
    "amenities",
    "rating",
    "review_count",
    "instant_book",
    "host",
    "photo",
    "saved",
    "status",
    "distance_km",
]
DETAIL_EXTRA_FIELDS = [
    "description",
    "latitude",
    "longitude",
    "cleaning_fee",
    "weekend_price",
    "min_nights",
    "max_nights",
    "weekly_discount",
    "monthly_discount",
    "tax_rate",
    "cancellation_policy",
    "photos",
]


class Photo(FieldsBuiltOnce, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ListingPhoto
        fields = ["id", "url", "caption"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo) -> str:
        return _absolute(self.context.get("request"), photo.image.url)


class Renditions(serializers.Serializer):
    thumbnail = serializers.URLField(allow_null=True, help_text="320 px on the long edge.")
    card = serializers.URLField(allow_null=True, help_text="720 px on the long edge.")
    large = serializers.URLField(allow_null=True, help_text="1600 px on the long edge.")


class HostPhoto(Photo):
    """A photo as its host manages it: its place in the gallery and its resized copies (null
    until the rendering task has run, usually within seconds)."""

    renditions = serializers.SerializerMethodField()

    class Meta(Photo.Meta):
        fields = ["id", "url", "caption", "position", "renditions"]

    @extend_schema_field(Renditions)
    def get_renditions(self, photo) -> dict:
        request = self.context.get("request")
        return {
            name: _absolute(request, photo.image.storage.url(stored)) if stored else None
            for name, stored in ((n, photo.renditions.get(n)) for n in PHOTO_RENDITIONS)
        }


class PhotoUpload(serializers.Serializer):
    image = serializers.FileField(
        help_text="JPEG, PNG or WebP, at most 10 MB and 40 megapixels; metadata is removed."
    )
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PhotoUpdate(serializers.Serializer):
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, help_text="0 is the first photo."
    )


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class _PrefetchedMany(serializers.ManyRelatedField):
    def get_attribute(self, instance):
        return prefetched(instance, self.source)


class PrefetchedSlugs(serializers.SlugRelatedField):
    """Slugs of a relation the listing has prefetched, read from its cache (no manager)."""

    @classmethod
    def many_init(cls, *args, **kwargs):  # as DRF's, with the list field above
        list_kwargs = {key: kwargs[key] for key in kwargs if key in MANY_RELATION_KWARGS}
        return _PrefetchedMany(child_relation=cls(*args, **kwargs), **list_kwargs)


class ListingItem(serializers.ModelSerializer):
    """A search result. Reads only prefetched relations (see listings.selectors). `status` is
    always published in a public search; `?mine=1` lists the host's drafts and suspended ones."""

    amenities = PrefetchedSlugs(many=True, read_only=True, slug_field="slug")
    rating = serializers.DecimalField(
        source="rating_average", max_digits=3, decimal_places=2, read_only=True, allow_null=True
    )
    host = PublicPerson(read_only=True)
    photo = serializers.SerializerMethodField()
    saved = serializers.SerializerMethodField(
        help_text="In one of the caller's wishlists (always false when signed out)."
    )
    distance_km = serializers.SerializerMethodField(
        help_text="In a search with `near`: the great-circle distance from that point in "
        "kilometres (to the metre); null otherwise."
    )

    class Meta:
        model = Listing
        fields = LIST_FIELDS
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, listing) -> str | None:
        photos = list(prefetched(listing, "photos"))  # already in display order
        if not photos:
            return None
        return _absolute(self.context.get("request"), photos[0].image.url)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, listing) -> float | None:
        return distance_km_of(listing)

    def get_saved(self, listing) -> bool:
        saved = getattr(listing, "is_saved", None)  # annotated on pages (wishlists.selectors)
        if saved is None:
            request = self.context.get("request")
            user = request.user if request is not None else None
            saved = listing.pk in saved_listing_ids(user, [listing.pk])
        return bool(saved)


def distance_km_of(listing) -> float | None:
    distance = getattr(listing, "distance_km", None)  # annotated by a search around a point
    return None if distance is None else round(float(distance), 3)


class ListingDetail(FieldsBuiltOnce, ListingItem):
    photos = Photo(many=True, read_only=True)

    class Meta(ListingItem.Meta):
        fields = LIST_FIELDS + DETAIL_EXTRA_FIELDS
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------


class ListingInput(serializers.ModelSerializer):
    """What a host may set. The model's validators bound every number (no 500 on 1e30)."""

    amenities = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=100
    )
    # Any case ("eur"): the core uppercases and checks it is a supported currency.
    currency = serializers.CharField(
        max_length=3, required=False, help_text="ISO 4217 code, any case, e.g. EUR."
    )
    status = serializers.ChoiceField(
        choices=[Listing.Status.DRAFT, Listing.Status.PUBLISHED],
        required=False,
        help_text="draft or published (suspension is staff-only).",
    )

    class Meta:
        model = Listing
        # What the core lets a host edit (listings.services), plus amenities and status.
        fields = [*EDITABLE_FIELDS, "amenities", "status"]
        extra_kwargs = {"external_id": {"help_text": "Your own reference for the listing."}}


class PriceFilter(serializers.DecimalField):
    """A price bound of a search. Negatives pass here so the core refuses them with the code
    GraphQL gives (invalid_filter); the schema documents no sign (public_api.rest.openapi)."""

    never_negative = True


class ListingSearchQuery(serializers.Serializer):
    # Blank passes here so the core refuses it, with GraphQL's code (invalid_filter).
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    check_in = serializers.DateField(required=False)
    check_out = serializers.DateField(
        required=False, help_text="With check_in, and after it (else 400)."
    )
    guests = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    min_price = PriceFilter(max_digits=10, decimal_places=2, required=False)
    max_price = PriceFilter(max_digits=10, decimal_places=2, required=False)
    amenities = serializers.CharField(
        max_length=500, required=False, help_text="Comma-separated amenity slugs, all required."
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)
    mine = serializers.BooleanField(
        required=False, help_text="1: only the caller's own listings, drafts included."
    )
    # Parsed and checked by the core (listings.selectors), as for GraphQL: invalid_filter.
    bbox = serializers.CharField(
        max_length=200,
        required=False,
        help_text="A map viewport: min_lng,min_lat,max_lng,max_lat in degrees, e.g. "
        "2.25,48.81,2.42,48.90. min_lng > max_lng is a box crossing the antimeridian.",
    )
    near = serializers.CharField(
        max_length=100,
        required=False,
        help_text="lat,lng in degrees: only listings within radius_km, nearest first "
        "(replaces `ordering`).",
    )
    # Its length is the core's rule (too_long, as through GraphQL): at most 200 characters.
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Words to find in the title, description or city (e.g. sea view), best "
        "match first (replaces `ordering`). PostgreSQL: full-text search with stemming and "
        'web-search syntax ("quoted phrase", -word, or).',
    )
    radius_km = serializers.FloatField(
        required=False, help_text="With near: the search radius in kilometres, up to 20000."
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text="ISO 4217 code (any case): only listings priced in it. Required with "
        "min_price or max_price, which are in this currency (400 currency_required otherwise).",
    )


class DateRangeQuery(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class AvailabilityDay(serializers.Serializer):
    date = serializers.DateField()
    available = serializers.BooleanField()
    price = money_field()


class Availability(serializers.Serializer):
    days = AvailabilityDay(many=True)


class QuoteQuery(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField(
        help_text="After check_in: a stay is at least one night (else 400)."
    )
    guests = serializers.IntegerField(min_value=0, max_value=1000)


class NightPrice(serializers.Serializer):
    date = serializers.DateField()
    price = money_field()


class Quote(serializers.Serializer):
    listing = serializers.UUIDField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField()
    nights = serializers.IntegerField()
    nightly = NightPrice(many=True)
    nightly_subtotal = money_field()
    discount = money_field()
    cleaning_fee = money_field()
    service_fee = money_field()
    taxes = money_field()
    total = money_field()
    currency = serializers.CharField()


def quote_data(body: dict) -> dict:
    """`Quote().to_representation(body)`, written out: the serializer walked its 13 fields and
    each night's two (~0.1 ms per quote, more than the arithmetic). Amounts the core states in
    cents are sent as they are ("120.00"); any other amount goes through the serializer's own
    field, as does anything but the quote's own types. Tests compare the two on many quotes."""
    nightly = body["nightly"]
    return {
        "listing": str(body["listing"]),
        "check_in": body["check_in"].isoformat(),
        "check_out": body["check_out"].isoformat(),
        "guests": int(body["guests"]),
        "nights": int(body["nights"]),
        "nightly": [{"date": n.date.isoformat(), "price": _cents(n.price)} for n in nightly],
        "nightly_subtotal": _cents(body["nightly_subtotal"]),
        "discount": _cents(body["discount"]),
        "cleaning_fee": _cents(body["cleaning_fee"]),
        "service_fee": _cents(body["service_fee"]),
        "taxes": _cents(body["taxes"]),
        "total": _cents(body["total"]),
        "currency": str(body["currency"]),
    }


_AMOUNT = money_field()


def _cents(value) -> str:
    """What `money_field()` sends for `value`: a Decimal in cents within its 12 digits is
    printed as it is (quantizing it would not change it)."""
    if type(value) is Decimal:
        _sign, digits, exponent = value.as_tuple()
        if exponent == -2 and len(digits) <= 12:
            return f"{value:f}"
    return _AMOUNT.to_representation(value)


class ListingReview(serializers.ModelSerializer):
    author = FirstNameOnly(read_only=True)

    class Meta:
        model = Review
        fields = ["id", "rating", "comment", "author", "created_at", "response"]
        read_only_fields = fields


class BlockInput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    # Its length is the core's rule (too_long), refused alike through GraphQL.
    note = serializers.CharField(required=False, allow_blank=True, default="")


class Block(serializers.ModelSerializer):
    class Meta:
        model = HostBlock
        fields = ["id", "start", "end", "note"]
        read_only_fields = fields


class CalendarInput(serializers.Serializer):
    start = serializers.DateField(help_text="First night.")
    end = serializers.DateField(help_text="The night after the last one (exclusive).")
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Set this price on every night of the range.",
    )
    closed = serializers.BooleanField(
        required=False,
        help_text=(
            "true closes the nights (refused if one is booked); false reopens them (host blocks"
            " over them are trimmed, as in the back-office)."
        ),
    )


class CalendarChange(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Nights whose price or state changed.")
    days = AvailabilityDay(many=True)


class ChannelFeedInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="The other channel's iCal export URL.")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ChannelConflict(serializers.Serializer):
    uid = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ChannelFeedOut(serializers.ModelSerializer):
    block_count = serializers.IntegerField(read_only=True, help_text="Blocks it holds now.")
    conflicts = ChannelConflict(
        many=True, read_only=True, help_text="Events that overlap your bookings or blocks."
    )

    class Meta:
        model = ChannelFeed
        fields = [
            "id",
            "name",
            "url",
            "last_synced_at",
            "last_attempt_at",
            "last_error",
            "conflicts",
            "block_count",
            "created_at",
        ]
        read_only_fields = fields
