"""The back-office and the API docs work under the Content-Security-Policy (django-csp): pages
render, scripts run (unfold's Alpine.js tabs and menus, Swagger UI), nothing is blocked (the
`page` fixture fails a test on any CSP violation in the browser console)."""

import pytest

from tests.factories import ListingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_back_office_works_under_the_policy(page, login, live_server):
    staff = UserFactory(email="csp-staff@example.test", is_staff=True, is_superuser=True)
    listing = ListingFactory()
    response = page.goto("/admin/login/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    login(staff.email)
    page.goto(f"/admin/listings/listing/{listing.pk}/change/")
    page.wait_for_selector("#listing_form")
    # Alpine.js runs (it needs 'unsafe-eval'): the sidebar search toggles without errors and the
    # change form's fieldsets are rendered by unfold's scripts.
    assert page.evaluate("typeof window.Alpine") == "object"
    page.goto("/admin/listings/listing/")
    page.wait_for_selector("#result_list")


def test_the_api_docs_render_under_the_policy(page):
    response = page.goto("/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI (served from this site) fetched the schema and lists the operations.
    page.wait_for_selector("text=/api/v1/auth/token/", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    assert "cdn" not in page.content().split("<body")[0].lower()
