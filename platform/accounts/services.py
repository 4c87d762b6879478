"""Account writes: registration, profile updates, role changes, passwords."""

from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from common.actor import acting_as, attributed_to, current_actor
from common.background import enqueue_on_commit
from common.errors import ValidationFailed
from common.text import max_length, text_within

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
    current = current_actor()
    try:
        # A self-registration's history names the new user as its actor (not "anonymous").
        with transaction.atomic(), acting_as(candidate, ip=current.ip if current else None):
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
        if len(value or "") > max_length(User, name):
            raise ValidationFailed("too_long", "Names are at most 150 characters.", name)


@attributed_to("user")
@transaction.atomic
def user_update_profile(*, user: User, **changes: Any) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "unknown_field", f"Cannot change: {', '.join(sorted(unknown))}.", field=unknown.pop()
        )
    for name, value in changes.items():
        if value is None:
            raise ValidationFailed("required", "Give text; an empty one clears the field.", name)
        text_within(value, limit=max_length(User, name), field=name)
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


# --- passwords ----------------------------------------------------------------------------------


def _validate_new_password(user: User, password: str, field: str = "new_password") -> None:
    if not isinstance(password, str) or not password:
        raise ValidationFailed("required", "A new password is required.", field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            "too_long", f"Passwords are at most {MAX_PASSWORD_LENGTH} characters.", field
        )
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed("weak_password", " ".join(exc.messages), field=field) from exc


def _set_password(user: User, password: str) -> None:
    """Store the new password and revoke every token issued before (tokens carry a hash of the
    password hash, and every refresh token is blacklisted)."""
    from .tokens import tokens_revoke_all

    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    tokens_revoke_all(user)


@attributed_to("user")
@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    """Change one's own password, knowing the current one. Every earlier token is revoked."""
    if not isinstance(old_password, str) or not user.check_password(old_password[:256]):
        raise ValidationFailed(
            "wrong_password", "The current password is not correct.", field="old_password"
        )
    _validate_new_password(user, new_password)
    if user.check_password(new_password):
        raise ValidationFailed(
            "same_password",
            "The new password must differ from the current one.",
            field="new_password",
        )
    _set_password(user, new_password)
    return user


def password_reset_request(*, email: str) -> None:
    """Email a reset link to the account with this address, if there is one. The caller learns
    nothing either way: the lookup and the email happen in a task, so the answer and its timing
    are the same whether the account exists or not."""
    from .tasks import send_password_reset

    if not isinstance(email, str) or not email.strip() or len(email) > MAX_EMAIL_LENGTH:
        raise ValidationFailed("invalid_email", "Enter a valid email address.", field="email")
    enqueue_on_commit(send_password_reset, email.strip().lower())


def password_reset_email(*, email: str) -> bool:
    """Send the reset email (called by the task). Inactive and unknown accounts get nothing."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "recipient_name": user.first_name or user.email,
        "uid": uid,
        "token": token,
        "link": settings.PASSWORD_RESET_URL.format(uid=uid, token=token),
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    message = EmailMultiAlternatives(
        subject="Reset your StayBook password",
        body=render_to_string("emails/password_reset.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    message.send()
    return True


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with the uid and token from the reset email. The token works once
    (it is bound to the password hash) and expires after PASSWORD_RESET_TIMEOUT."""
    invalid = ValidationFailed(
        "invalid_token", "The reset link is invalid or has expired.", field="token"
    )
    if not isinstance(uid, str) or not isinstance(token, str) or len(uid) > 64 or len(token) > 128:
        raise invalid
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        user = User.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, ValidationError, User.DoesNotExist) as exc:
        raise invalid from exc
    if not default_token_generator.check_token(user, token):
        raise invalid
    _validate_new_password(user, new_password)
    with acting_as(user):
        _set_password(user, new_password)
    return user
