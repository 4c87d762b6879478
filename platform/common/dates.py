from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA zone name. Checked against the list rather than by trying ZoneInfo(name), which
    raises IsADirectoryError/OSError for names like "Europe" and ValueError for others."""
    return isinstance(name, str) and name in known_time_zones()


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name if is_time_zone(name) else "UTC")


def today_in(time_zone: str, now: datetime | None = None) -> date:
    """Today's date where the listing is (a stay's dates are local dates)."""
    now = now or timezone.now()
    return now.astimezone(zone(time_zone)).date()
