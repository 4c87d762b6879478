"""What the listing read tests compare: a listing as an interface shows it."""

from decimal import Decimal

from listings.models import Amenity, Listing, ListingPhoto


def shown(listing) -> tuple:
    """Everything a search result or a detail page shows, its relations' columns included."""
    return (
        [getattr(listing, f.attname) for f in Listing._meta.concrete_fields],
        (listing.host.pk, listing.host.first_name),
        [[getattr(a, f.attname) for f in Amenity._meta.concrete_fields]
         for a in listing.amenities.all()],
        [[getattr(p, f.attname) for f in ListingPhoto._meta.concrete_fields]
         for p in listing.photos.all()],
        getattr(listing, "distance_km", None),
    )  # fmt: skip


def varied_listings(hosts: list, count: int) -> list[Listing]:
    """`count` published Lisbon listings, taking turns among `hosts`, with none to all three
    amenities and none, one or two photos (one with renditions): every shape a read rebuilds."""
    amenities = [Amenity.objects.create(slug=s, name=s.title()) for s in ("wifi", "desk", "pool")]
    listings = []
    for i in range(count):
        listing = Listing.objects.create(
            host=hosts[i % len(hosts)], title=f"Stay {i}", city="Lisbon", country="PT",
            nightly_price=Decimal(100 + i), status=Listing.Status.PUBLISHED,
        )  # fmt: skip
        listing.amenities.add(*amenities[: i % 4])
        for position in range(i % 3):
            ListingPhoto.objects.create(
                listing=listing, image=f"listings/{i}-{position}.jpg", caption=f"c{position}",
                position=2 - position, renditions={"card": f"r/{i}.jpg"} if position else {},
            )  # fmt: skip
        listings.append(listing)
    return listings
