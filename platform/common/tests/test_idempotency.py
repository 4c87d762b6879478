import datetime as dt

import pytest
from django.utils import timezone

from common.idempotency import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    fingerprint,
    run_idempotent,
)
from common.models import IdempotencyRecord
from common.tasks import purge_idempotency_keys
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counter():
    calls = []

    def execute():
        calls.append(1)
        return 201, {"n": len(calls)}

    return calls, execute


def test_same_key_same_body_replays_without_running_again():
    user = UserFactory()
    calls, execute = counter()
    first = run_idempotent(user=user, scope="s", key="k1", payload={"a": 1}, execute=execute)
    again = run_idempotent(user=user, scope="s", key="k1", payload={"a": 1}, execute=execute)
    assert first == (201, {"n": 1}, False)
    assert again == (201, {"n": 1}, True)
    assert len(calls) == 1


def test_keys_are_scoped_per_user_and_operation():
    calls, execute = counter()
    a, b = UserFactory(), UserFactory()
    run_idempotent(user=a, scope="s", key="k", payload={}, execute=execute)
    run_idempotent(user=b, scope="s", key="k", payload={}, execute=execute)
    run_idempotent(user=a, scope="other", key="k", payload={}, execute=execute)
    assert len(calls) == 3


def test_same_key_different_body_is_refused():
    user = UserFactory()
    _calls, execute = counter()
    run_idempotent(user=user, scope="s", key="k", payload={"a": 1}, execute=execute)
    with pytest.raises(IdempotencyKeyReused):
        run_idempotent(user=user, scope="s", key="k", payload={"a": 2}, execute=execute)


def test_repeat_while_running_is_a_conflict():
    user = UserFactory()
    IdempotencyRecord.objects.create(user=user, scope="s", key="k", fingerprint=fingerprint({}))
    with pytest.raises(IdempotencyInProgress):
        run_idempotent(user=user, scope="s", key="k", payload={}, execute=lambda: (200, {}))


def test_a_failed_attempt_can_be_retried_with_the_same_key():
    user = UserFactory()

    def boom():
        raise RuntimeError("network")

    with pytest.raises(RuntimeError):
        run_idempotent(user=user, scope="s", key="k", payload={}, execute=boom)
    assert run_idempotent(user=user, scope="s", key="k", payload={}, execute=lambda: (201, {}))[0]


def test_expired_keys_are_purged_and_reusable():
    user = UserFactory()
    _calls, execute = counter()
    run_idempotent(user=user, scope="s", key="k", payload={"a": 1}, execute=execute)
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    status, body, replayed = run_idempotent(
        user=user, scope="s", key="k", payload={"a": 2}, execute=execute
    )
    assert (status, replayed) == (201, False)
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert purge_idempotency_keys.delay().get() == 1


def test_an_abandoned_in_progress_key_can_be_claimed_again():
    user = UserFactory()
    IdempotencyRecord.objects.create(user=user, scope="s", key="k", fingerprint=fingerprint({}))
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    status, _body, replayed = run_idempotent(
        user=user, scope="s", key="k", payload={}, execute=lambda: (201, {"ok": True})
    )
    assert (status, replayed) == (201, False)
