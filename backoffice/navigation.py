"""Sidebar callbacks: badges for the waiting queues, and who sees which entry."""

from bookings.models import Booking, BookingStatus
from reviews.models import Review

from .roles import Role, request_role


def _count(request, queryset, host_lookup: str):
    role = request_role(request)
    if role == Role.HOST:
        queryset = queryset.filter(**{host_lookup: request.user})
    count = queryset.count()
    return count or None  # unfold hides an empty badge


def pending_reviews_badge(request):
    if request_role(request) not in (Role.STAFF, Role.MODERATOR, Role.AUDITOR, Role.HOST):
        return None
    return _count(request, Review.objects.filter(status=Review.Status.PENDING), "listing__host")


def booking_requests_badge(request):
    if request_role(request) == Role.MODERATOR:
        return None
    return _count(request, Booking.objects.filter(status=BookingStatus.REQUESTED), "listing__host")


def _is(*roles):
    return lambda request: request_role(request) in roles


is_staff_or_auditor = _is(Role.STAFF, Role.AUDITOR)
can_see_listings = _is(Role.STAFF, Role.AUDITOR, Role.HOST, Role.MODERATOR)
can_see_calendars = _is(Role.STAFF, Role.AUDITOR, Role.HOST)
can_see_bookings = _is(Role.STAFF, Role.AUDITOR, Role.HOST, Role.MODERATOR)
can_see_reviews = _is(Role.STAFF, Role.AUDITOR, Role.HOST, Role.MODERATOR)
can_see_people = _is(Role.STAFF, Role.AUDITOR, Role.MODERATOR)


def environment(request):
    """The role badge next to the site name, so people know how they are acting."""
    role = request_role(request)
    colours = {Role.STAFF: "danger", Role.AUDITOR: "info", Role.MODERATOR: "warning"}
    if role == Role.NONE:
        return None
    return [role.value.title(), colours.get(role, "success")]
