import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User
from accounts.services import user_make_host, user_register, user_update_profile
from common.actor import acting_as
from common.errors import ValidationFailed
from tests.factories import UserFactory

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


# --- Role changes in the audit history ---------------------------------------------------------


def _roles_in(history_row) -> set[str]:
    return {row.group.name for row in history_row.groups.all()}


def test_a_role_change_is_recorded_with_its_actor_and_the_roles_after_it():

    staff = UserFactory(email="ops@example.test", is_staff=True)
    person = UserFactory(email="person@example.test")
    with acting_as(staff, ip="203.0.113.9"):
        user_make_host(user=person)
    latest = person.history.latest()
    assert latest.history_type == "~"
    assert (latest.history_actor, latest.history_ip) == ("user:ops@example.test", "203.0.113.9")
    assert latest.history_user == staff
    assert _roles_in(latest) == {roles.HOSTS}


def test_role_changes_from_the_groups_side_are_recorded_per_person():

    staff = UserFactory(email="ops@example.test", is_staff=True)
    first, second = UserFactory(), UserFactory()
    moderators = Group.objects.get_or_create(name=roles.MODERATORS)[0]
    before = second.history.count()
    with acting_as(staff):
        moderators.user_set.add(first, second)
        moderators.user_set.remove(second)
    assert _roles_in(first.history.latest()) == {roles.MODERATORS}
    assert _roles_in(second.history.latest()) == set()
    assert second.history.count() == before + 2  # given the role, role taken away
    assert {h.history_actor for h in second.history.all()[:2]} == {"user:ops@example.test"}
