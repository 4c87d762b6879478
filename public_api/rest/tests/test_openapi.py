"""The OpenAPI document: valid, complete, served with Swagger UI, and fuzzed for server errors."""

import contextlib

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode

from config.wsgi import application
from messaging.services import conversation_start
from payments.models import Payout
from payments.services import booking_pay
from reviews.models import Review
from tests.factories import ListingFactory, ReviewFactory, make_booking, make_completed_stay
from tests.fuzzing import fuzz_settings, wsgi_connection_kept_open
from wishlists.services import wishlist_create

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_schema_passes_spectacular_validation_without_warnings(tmp_path):
    # --fail-on-warn turns any inference gap (an undocumented view, an unresolvable field)
    # into a failure, so the schema cannot silently drift from the code.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for operation in (
        "auth_register", "auth_token", "auth_token_refresh", "auth_logout",
        "auth_password_change", "auth_password_reset", "auth_password_reset_confirm",
        "me_retrieve", "me_update",
        "listings_list", "listings_create", "listings_retrieve", "listings_update",
        "listings_destroy", "listings_availability", "listings_quote", "listings_reviews",
        "listings_blocks_create", "listings_blocks_destroy", "listings_calendar_ics",
        "bookings_list", "bookings_create", "bookings_retrieve", "bookings_accept",
        "bookings_decline", "bookings_refund_preview", "bookings_cancel", "reviews_create",
        "reviews_respond", "conversations_list", "conversations_create", "conversations_unread",
        "conversations_retrieve", "conversations_messages_list", "conversations_messages_create",
        "conversations_read", "wishlists_list", "wishlists_create", "wishlists_retrieve",
        "wishlists_rename", "wishlists_destroy", "wishlists_listings", "wishlists_listings_add",
        "wishlists_listings_remove", "listings_photos_create", "listings_photos_retrieve",
        "listings_photos_update", "listings_photos_destroy", "listings_calendar_update",
        "listings_calendar_clear", "payouts_list", "payouts_retrieve", "listings_channels_list",
        "listings_channels_create", "listings_channels_destroy", "listings_channels_sync",
    ):  # fmt: skip
        assert f"operationId: {operation}\n" in text


def test_schema_and_docs_are_served(anon):
    schema = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["paths"]["/api/v1/bookings/"]["post"]["responses"]["409"]
    docs = anon.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


# --- a bounded, deterministic schemathesis run -----------------------------------------------


def test_generated_requests_never_cause_a_server_error(guest):
    """Every operation, with schema-conforming and schema-violating inputs, in-process
    against the WSGI app. Path ids point at real objects so the calls reach the core."""
    listing = ListingFactory(max_guests=4)
    booking = make_booking(guest=guest)
    review = ReviewFactory(
        booking=make_completed_stay(listing=listing, guest=guest), status=Review.Status.PUBLISHED
    )
    ids = {"/api/v1/listings/": listing.pk, "/api/v1/bookings/": booking.pk}
    ids["/api/v1/reviews/"] = review.pk
    conversation = conversation_start(actor=guest, listing=listing, body="Hello")
    ids["/api/v1/conversations/"] = conversation.pk
    ids["/api/v1/wishlists/"] = wishlist_create(actor=guest, name="Sea").pk
    declined = booking_pay(actor=guest, booking=booking, payment_method="pm_card_chargeDeclined")
    ids["/api/v1/payments/"] = declined.pk
    ids["/api/v1/payouts/"] = Payout.objects.create(host=guest, currency="EUR", amount=1).pk
    token = client_for(guest)._credentials["HTTP_AUTHORIZATION"]
    failures = []
    with wsgi_connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 61  # the 60 operations of the contract + the API root
        for operation in operations:
            failures += _fuzz(operation, ids, token)
    assert failures == []


def _fuzz(operation, ids, token) -> list[str]:
    """Schema-conforming, then schema-violating inputs; `{id}` is a real object's id."""
    path_ids = None
    if "{id}" in operation.path:
        prefix = next(p for p in ids if operation.path.startswith(p))
        path_ids = {"id": str(ids[prefix])}
    failures = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(mode, path_parameters=path_ids)
        failures += _server_errors(strategy, token)
    return failures


# Beyond "no 5xx": every answer's status is documented for its operation, its Content-Type is
# the documented one, and its body matches the documented schema.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _server_errors(strategy, token) -> list[str]:
    found: list[str] = []

    @fuzz_settings
    @given(case=strategy)
    def call(case):
        response = case.call(headers={"Authorization": token})
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except (AssertionError, FailureGroup) as failure:
            found.append(f"{response.status_code} {case.method} {case.formatted_path}: {failure}")

    # Negative mode on an operation with nothing that can be made invalid has no examples.
    with contextlib.suppress(Unsatisfiable):
        call()
    return found


# --- The limits the server enforces are in the schema -------------------------------------------


def _schema(anon) -> dict:
    return anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_check_out_after_check_in_is_documented_and_enforced(anon, guest):
    listing = ListingFactory()
    schema = _schema(anon)
    booking = schema["components"]["schemas"]["BookingInputRequest"]["properties"]["check_out"]
    assert "After check_in" in booking["description"]
    quote = schema["paths"]["/api/v1/listings/{id}/quote/"]["get"]["parameters"]
    assert "After check_in" in next(p for p in quote if p["name"] == "check_out")["description"]
    day = "2031-05-10"
    response = anon.get(
        f"/api/v1/listings/{listing.pk}/quote/", {"check_in": day, "check_out": day, "guests": 1}
    )
    assert response.status_code == 400
    response = client_for(guest).post(
        "/api/v1/bookings/",
        {"listing": str(listing.pk), "check_in": day, "check_out": day, "guests": 1},
        format="json",
    )
    assert response.status_code == 400


PAGINATED = [
    "/api/v1/listings/", "/api/v1/bookings/", "/api/v1/conversations/",
    "/api/v1/conversations/{id}/messages/", "/api/v1/listings/{id}/reviews/",
    "/api/v1/payments/", "/api/v1/payouts/", "/api/v1/wishlists/",
    "/api/v1/wishlists/{id}/listings/",
]  # fmt: skip


def test_page_limits_and_the_page_past_the_end_are_documented_and_enforced(anon, guest):
    paths = _schema(anon)["paths"]
    listed = sorted(p for p, ops in paths.items() if _param(ops.get("get", {}), "page"))
    assert listed == sorted(PAGINATED)
    for path in PAGINATED:
        operation = paths[path]["get"]
        assert _param(operation, "page")["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 999_999_999,
        }
        assert _param(operation, "page_size")["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 20,
        }
        assert "past the last one" in operation["responses"]["404"]["description"], path
    client = client_for(guest)
    ListingFactory()
    assert anon.get("/api/v1/listings/", {"page_size": 100}).status_code == 200
    for page_size in ("0", "101", "x"):
        assert anon.get("/api/v1/listings/", {"page_size": page_size}).status_code == 400
    for path in ("/api/v1/listings/", "/api/v1/payouts/", "/api/v1/payments/"):
        past = client.get(path, {"page": 2})
        assert past.status_code == 404, path
        assert past.json()["detail"]


def _param(operation: dict, name: str) -> dict | None:
    return next((p for p in operation.get("parameters", []) if p["name"] == name), None)


def test_a_new_passwords_minimum_length_is_djangos(anon, guest):
    from public_api.rest.openapi import password_min_length

    minimum = password_min_length()
    assert minimum == 8  # AUTH_PASSWORD_VALIDATORS' MinimumLengthValidator
    schemas = _schema(anon)["components"]["schemas"]
    for name, field in [
        ("RegisterInputRequest", "password"),
        ("PasswordChangeInputRequest", "new_password"),
        ("PasswordResetConfirmInputRequest", "new_password"),
    ]:
        assert schemas[name]["properties"][field]["minLength"] == minimum, name
    # Logging in takes whatever password an account has: no minimum beyond "not empty".
    assert schemas["TokenInputRequest"]["properties"]["password"]["minLength"] == 1
    register = "/api/v1/auth/register/"
    short = anon.post(register, {"email": "a@example.test", "password": "Zq7!xkp"}, format="json")
    assert (short.status_code, short.json()["code"]) == (400, "weak_password")
    right = anon.post(register, {"email": "a@example.test", "password": "Zq7!xkpw"}, format="json")
    assert right.status_code == 201


def _decimal_patterns(node, found) -> list[str]:
    if isinstance(node, dict):
        if node.get("format") == "decimal":
            found.append(node["pattern"])
        for value in node.values():
            _decimal_patterns(value, found)
    elif isinstance(node, list):
        for value in node:
            _decimal_patterns(value, found)
    return found


def test_decimal_strings_are_documented_as_the_server_reads_them(anon, as_host, listing):
    import re

    patterns = set(_decimal_patterns(_schema(anon), []))
    assert len(patterns) >= 5
    for pattern in patterns:
        for loose in ("", "-", ".", "1.", ".5", "1e3", " 1", "1.2.3", "+1"):
            assert not re.search(pattern, loose), (pattern, loose)
        assert re.search(pattern, "1")
        assert re.search(pattern, "1.5")
    schemas = _schema(anon)["components"]["schemas"]
    price = schemas["ListingInputRequest"]["properties"]["nightly_price"]["pattern"]
    assert price == r"^\d{1,8}(?:\.\d{1,2})?$"  # no sign: the model's minimum is above zero
    latitude = schemas["ListingInputRequest"]["properties"]["latitude"]["pattern"]
    assert latitude == r"^-?\d{1,3}(?:\.\d{1,6})?$"
    search = next(
        op
        for op in _schema(anon)["paths"]["/api/v1/listings/"].values()
        if op.get("operationId") == "listings_list"
    )
    bounds = {
        p["name"]: p["schema"]["pattern"] for p in search["parameters"] if "price" in p["name"]
    }
    # no sign: the core refuses a negative bound (400 invalid_filter, tested in test_parity)
    assert bounds == {"min_price": price, "max_price": price}
    url = f"/api/v1/listings/{listing.pk}/"
    for loose in ("", "-", ".", "12.345", "123456789"):
        response = as_host.patch(url, {"nightly_price": loose}, format="json")
        assert response.status_code == 400, loose
    assert as_host.patch(url, {"nightly_price": "99.5"}, format="json").json()["nightly_price"] == (
        "99.50"
    )
