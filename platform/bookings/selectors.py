"""Booking reads shared by the APIs: who may see which bookings, already optimised."""

from django.db.models import Q, QuerySet

from accounts.models import User

from .models import Booking


def booking_base_queryset() -> QuerySet:
    """Bookings with their listing and its host joined (what every API output shows)."""
    return Booking.objects.select_related("listing", "listing__host")


def booking_list_for_guest(user: User) -> QuerySet:
    """The caller's own stays, newest first."""
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return booking_base_queryset().filter(guest=user).order_by("-created_at", "id")


def booking_list_for_host(user: User) -> QuerySet:
    """Bookings of the caller's listings, newest first."""
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return booking_base_queryset().filter(listing__host=user).order_by("-created_at", "id")


def booking_visible_to(user: User) -> QuerySet:
    """Bookings a user may see: their stays and the bookings of their listings."""
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return booking_base_queryset().filter(Q(guest=user) | Q(listing__host=user))
