"""Comparing API error bodies: every error carries its own `request_id` (public_api.middleware),
so two answers that must be identical are compared without it."""


def without_request_id(response) -> dict:
    """The JSON body of `response` without its request id (which differs per request)."""
    data = response.json()
    assert data.pop("request_id") == response["X-Request-ID"]
    return data
