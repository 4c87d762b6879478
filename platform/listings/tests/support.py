"""What the listing read tests compare: a listing as an interface shows it."""

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
