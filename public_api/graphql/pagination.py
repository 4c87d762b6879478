"""Relay-style connections over querysets, with opaque offset cursors.

A page is fetched as `limit + 1` rows in one query: the extra row only tells whether there is a
next page, so no COUNT query is needed.
"""

from __future__ import annotations

import base64
import binascii
import re

import graphene
from django.conf import settings
from graphql import GraphQLError

CURSOR_PREFIX = "offset:"
MAX_CURSOR_OFFSET = 1_000_000  # deep paging beyond this is not a use case, only an attack
# Only what encode_cursor writes: int() alone would also take " 3", "3_0" or Arabic-Indic digits.
_OFFSET = re.compile(r"[0-9]{1,7}")


def default_page_size() -> int:
    return settings.GRAPHQL_DEFAULT_PAGE_SIZE


def max_page_size() -> int:
    return settings.GRAPHQL_MAX_PAGE_SIZE


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset a cursor points at; a clear error for anything we did not hand out."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        digits = text.removeprefix(CURSOR_PREFIX)
        if digits == text or not _OFFSET.fullmatch(digits):
            raise ValueError(text)
        offset = int(digits)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise GraphQLError("Invalid cursor: pass an endCursor this API returned.") from exc
    if not 0 <= offset <= MAX_CURSOR_OFFSET:
        raise GraphQLError("Invalid cursor: pass an endCursor this API returned.")
    return offset


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, limit) of the requested page. The limits rule already rejected oversized pages
    before execution; checking again here keeps resolvers safe on their own."""
    limit = default_page_size() if first is None else first
    if not 1 <= limit <= max_page_size():
        raise GraphQLError(
            f"`first` must be between 1 and {max_page_size()}.", extensions={"code": "page_size"}
        )
    offset = decode_cursor(after) + 1 if after else 0
    return offset, limit


def build_connection(connection_type, rows, *, offset: int, limit: int):
    """A connection instance from `rows` fetched as [offset, offset + limit + 1)."""
    rows = list(rows)
    has_next = len(rows) > limit
    rows = rows[:limit]
    edges = [
        connection_type.Edge(node=row, cursor=encode_cursor(offset + index))
        for index, row in enumerate(rows)
    ]
    page_info = graphene.relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return connection_type(edges=edges, page_info=page_info)


def paginate(connection_type, queryset, *, first: int | None, after: str | None):
    offset, limit = page_window(first, after)
    rows = list(queryset[offset : offset + limit + 1])
    return build_connection(connection_type, rows, offset=offset, limit=limit), rows[:limit]


class CountableConnection(graphene.relay.Connection):
    """Base of every connection (edges { node cursor }, pageInfo)."""

    class Meta:
        abstract = True
