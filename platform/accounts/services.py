"""Account writes: registration, profile updates, role changes."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from common.actor import attributed_to
from common.errors import ValidationFailed

from . import roles
from .models import MAX_EMAIL_LENGTH, User

PROFILE_FIELDS = ("first_name", "last_name", "phone", "bio")


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email:
        raise ValidationFailed("email_required", "An email address is required.", field="email")
    _validate_registration(email, password, first_name, last_name)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            "email_taken", "A user with this email already exists.", field="email"
        )
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationFailed("weak_password", " ".join(exc.messages), field="password") from exc
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise ValidationFailed(
            "email_taken", "A user with this email already exists.", field="email"
        ) from exc
    return candidate


MAX_PASSWORD_LENGTH = 128  # hashing megabytes of "password" is a cheap denial of service


def _validate_registration(email: str, password: str, first_name: str, last_name: str) -> None:
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed("invalid_email", "Enter a valid email address.", "email") from exc
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationFailed("too_long", "Email addresses are at most 254 characters.", "email")
    if len(password or "") > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            "too_long", f"Passwords are at most {MAX_PASSWORD_LENGTH} characters.", "password"
        )
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value or "") > User._meta.get_field(name).max_length:
            raise ValidationFailed("too_long", "Names are at most 150 characters.", name)


@attributed_to("user")
@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "unknown_field", f"Cannot change: {', '.join(sorted(unknown))}.", field=unknown.pop()
        )
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "email", "avatar"])
    user.save()
    return user


def user_make_host(*, user: User) -> None:
    """Anyone who lists a home becomes a host (idempotent)."""
    if roles.is_host(user):
        return
    group, _ = Group.objects.get_or_create(name=roles.HOSTS)
    user.groups.add(group)
    user.__dict__.pop("_group_names", None)
