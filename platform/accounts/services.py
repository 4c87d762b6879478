"""Account writes: registration, profile updates, role changes."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.actor import attributed_to
from common.errors import ValidationFailed

from . import roles
from .models import User

PROFILE_FIELDS = ("first_name", "last_name", "phone", "bio")


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email:
        raise ValidationFailed("email_required", "An email address is required.", field="email")
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
