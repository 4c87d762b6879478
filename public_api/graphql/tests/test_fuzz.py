"""A bounded, deterministic schemathesis run over every query and mutation of the schema.

GraphQL answers resolver failures with HTTP 200, so a "server error" here is either a 5xx or an
error the view masked as `internal_error` (an unexpected exception in a resolver).
"""

import contextlib

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.specs.graphql import scalars

from calendars.services import host_block_create
from config.wsgi import application
from messaging.services import conversation_start
from payments.models import Payout
from reviews.models import Review
from tests.factories import (
    ListingFactory,
    ReviewFactory,
    future,
    make_booking,
    make_completed_stay,
)
from tests.fuzzing import fuzz_settings, wsgi_connection_kept_open
from wishlists.services import wishlist_create

from .conftest import bearer

pytestmark = pytest.mark.django_db


DECIMALS = st.one_of(
    st.decimals(min_value=-1000, max_value=100_000, places=2).map(str),
    st.sampled_from(["0", "1e30", "NaN", "-0.001", "12.345", ""]),
)


@contextlib.contextmanager
def custom_scalars(ids):
    """Strategies for our scalars; UUIDs favour ids of real objects so calls reach the core."""
    strategies = {
        "Money": DECIMALS.map(nodes.String),
        "Decimal": DECIMALS.map(nodes.String),
        # Files come only as multipart parts: anything written in a document is refused.
        "Upload": st.sampled_from(["", "c2VhLmpwZw==", "data:image/jpeg;base64,"]).map(
            nodes.String
        ),
        "UUID": st.one_of(st.sampled_from([str(i) for i in ids]), st.uuids().map(str)).map(
            nodes.String
        ),
    }
    saved = dict(scalars.CUSTOM_SCALARS)
    scalars.CUSTOM_SCALARS.update(strategies)
    try:
        yield
    finally:
        scalars.CUSTOM_SCALARS.clear()
        scalars.CUSTOM_SCALARS.update(saved)


def test_generated_operations_never_cause_a_server_error(guest, host):
    listing = ListingFactory(host=host, max_guests=4)
    booking = make_booking(listing=listing, guest=guest)
    review = ReviewFactory(
        booking=make_completed_stay(listing=listing, guest=guest), status=Review.Status.PUBLISHED
    )
    block = host_block_create(listing=listing, start=future(60), end=future(62), actor=host)
    conversation = conversation_start(actor=guest, booking=booking, body="Hello")
    wishlist = wishlist_create(actor=guest, name="Sea")
    payout = Payout.objects.create(host=host, currency="EUR", amount=1)
    ids = [listing.pk, booking.pk, review.pk, block.pk, conversation.pk, wishlist.pk, payout.pk]
    tokens = [bearer(guest)["HTTP_AUTHORIZATION"], bearer(host)["HTTP_AUTHORIZATION"], None]
    failures: list[str] = []
    with wsgi_connection_kept_open(), custom_scalars(ids):
        schema = schemathesis.graphql.from_wsgi("/graphql/", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 54  # 18 queries, 36 mutations
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += _server_errors(operation.as_strategy(mode), tokens)
    assert failures == []


def _server_errors(strategy, tokens) -> list[str]:
    found: list[str] = []

    @fuzz_settings
    @given(case=strategy, token=st.sampled_from(tokens))
    def call(case, token):
        response = case.call(headers={"Authorization": token} if token else {})
        body = response.json() if response.headers.get("Content-Type") == "application/json" else {}
        codes = [e.get("extensions", {}).get("code") for e in (body or {}).get("errors", [])]
        if response.status_code >= 500 or "internal_error" in codes:
            found.append(f"{response.status_code} {case.body!r} -> {response.text[:300]}")

    with contextlib.suppress(Unsatisfiable):
        call()
    return found
