"""Page-number pagination: `{count, next, previous, results}`, `page_size` 1..100 (default 20).

Unlike DRF's default, a malformed `page` or `page_size` is a 400 (malformed input is never
silently reinterpreted); a page past the end stays DRF's 404.

Numbers must be plain ASCII digits: `str.isdigit()` is also true for "²" (which `int()` then
refuses: a 500) and for Arabic-Indic or full-width digits (which `int()` accepts), so it is
not a check for "a number a client typed".
"""

import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 100
MAX_PAGE_DIGITS = 9

_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_number(raw: str, max_digits: int = MAX_PAGE_DIGITS) -> bool:
    """True for 1 to `max_digits` ASCII digits and nothing else (no sign, space or "²")."""
    return len(raw) <= max_digits and _ASCII_DIGITS.fullmatch(raw) is not None


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not is_ascii_number(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**MAX_PAGE_DIGITS - 1}
        page["description"] = "A page number (1 is the first); a page past the last one is a 404."
        page_size["schema"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": self.page_size,
        }
        page_size["description"] = f"Results per page, 1 to {MAX_PAGE_SIZE} (else 400)."
        return [page, page_size]

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not is_ascii_number(raw):
            raise ValidationError({"page": ["Must be a positive whole number."]})
        return super().paginate_queryset(queryset, request, view)
