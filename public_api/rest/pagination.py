"""Page-number pagination: `{count, next, previous, results}`, `page_size` 1..100 (default 20).

Unlike DRF's default, a malformed `page` or `page_size` is a 400 (malformed input is never
silently reinterpreted); a page past the end stays DRF's 404.
"""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and (not raw.isdigit() or len(raw) > 9):
            raise ValidationError({"page": ["Must be a positive whole number."]})
        return super().paginate_queryset(queryset, request, view)
