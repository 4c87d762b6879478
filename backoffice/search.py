"""The sidebar's search (and the command palette) finds records, not only menu entries:
listings by title or city, bookings by guest name, people by name or email. Each through its
admin's scoped queryset, so nobody finds what they could not open; a few of each, two
characters at least."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from unfold.dataclasses import SearchResult

from bookings.models import Booking
from listings.models import Listing

from .people import full_name, name_or_email

PER_KIND = 5


def _admin(model):
    from .sites import site

    return site._registry.get(model)


def record_search(request, term: str) -> list[SearchResult]:
    term = (term or "").strip()
    if len(term) < 2:
        return []
    results = []
    listings = _admin(Listing)
    if listings and listings.has_view_permission(request):
        found = listings.get_queryset(request).filter(
            Q(title__icontains=term) | Q(city__icontains=term)
        )
        for listing in found.order_by("title")[:PER_KIND]:
            results.append(
                SearchResult(
                    title=listing.title,
                    description=f"Listing · {listing.city}",
                    link=reverse("admin:listings_listing_change", args=[listing.pk]),
                    icon="home_work",
                )
            )
    bookings = _admin(Booking)
    if bookings and bookings.has_view_permission(request):
        found = (
            bookings.get_queryset(request)
            .filter(Q(guest__first_name__icontains=term) | Q(guest__last_name__icontains=term))
            .select_related("listing", "guest")
        )
        for booking in found.order_by("-check_in")[:PER_KIND]:
            results.append(
                SearchResult(
                    title=f"{full_name(booking.guest)} · {booking.listing.title}",
                    description=f"Booking · {booking.check_in:%d %b %Y} → "
                    f"{booking.check_out:%d %b %Y} · {booking.get_status_display()}",
                    link=reverse("admin:bookings_booking_change", args=[booking.pk]),
                    icon="luggage",
                )
            )
    users = _admin(get_user_model())
    if users and users.has_view_permission(request):
        found = users.get_queryset(request).filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
        for user in found.order_by("email")[:PER_KIND]:
            results.append(
                SearchResult(
                    title=name_or_email(user),
                    description=f"Person · {user.email}",
                    link=reverse("admin:accounts_user_change", args=[user.pk]),
                    icon="person",
                )
            )
    return results
