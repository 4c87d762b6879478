import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User
from accounts.services import user_register, user_update_profile
from common.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_register_normalises_email_and_logs_in_by_email():
    user = user_register(
        email="Ana@Example.COM ", password="correct-horse-battery", first_name="Ana"
    )
    assert user.email == "ana@example.com"
    assert not hasattr(user, "username")
    assert authenticate(email="ANA@example.com", password="correct-horse-battery") == user


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("taken@example.com", "correct-horse-battery", "email_taken"),
        ("TAKEN@example.com", "correct-horse-battery", "email_taken"),
        ("new@example.com", "123", "weak_password"),
        ("new@example.com", "password", "weak_password"),
        ("", "correct-horse-battery", "email_required"),
        ("not an email", "correct-horse-battery", "invalid_email"),
        (f"{'a' * 250}@example.com", "correct-horse-battery", "too_long"),
        ("new@example.com", "x" * 129, "too_long"),
    ],
)
def test_register_refusals(email, password, code):
    User.objects.create_user(email="taken@example.com", password="x")
    with pytest.raises(ValidationFailed) as exc:
        user_register(email=email, password=password)
    assert exc.value.code == code


def test_profile_update_and_history_never_stores_the_password():
    user = User.objects.create_user(email="p@example.com", password="secret-secret-1")
    user_update_profile(user=user, bio="Hello", phone="+351 900")
    with pytest.raises(ValidationFailed):
        user_update_profile(user=user, is_staff=True)
    latest = user.history.latest()
    assert latest.bio == "Hello"
    assert not hasattr(latest, "password")


def test_role_groups_exist_with_permissions_after_migrate():
    hosts = Group.objects.get(name=roles.HOSTS)
    auditors = Group.objects.get(name=roles.AUDITORS)
    moderators = Group.objects.get(name=roles.MODERATORS)
    assert hosts.permissions.filter(codename="change_listing").exists()
    assert moderators.permissions.filter(codename="moderate_review").exists()
    auditor_codes = set(auditors.permissions.values_list("codename", flat=True))
    assert "view_historicalbooking" in auditor_codes and "view_booking" in auditor_codes
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in auditor_codes)


def test_names_are_bounded_at_registration():
    with pytest.raises(ValidationFailed) as exc:
        user_register(email="n@example.com", password="correct-horse-battery", first_name="x" * 151)
    assert (exc.value.code, exc.value.field) == ("too_long", "first_name")


def test_an_absurdly_long_login_email_is_simply_not_found():
    assert authenticate(email="x" * 50_001, password="whatever") is None
