from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone


def today_in(time_zone: str, now: datetime | None = None) -> date:
    """Today's date where the listing is (a stay's dates are local dates)."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()
