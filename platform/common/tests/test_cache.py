"""The read cache's building blocks: tokens, and reads that never stampede."""

import threading
import time

import pytest
from django.core.cache import cache

from common import cache as read_cache
from common.cache import cache_bump, cache_store, cache_token, cached_read


def never_called():
    raise AssertionError("rebuilt although someone else holds the lock")


@pytest.mark.django_db
def test_a_bump_changes_the_token_at_once_and_again_on_commit(django_capture_on_commit_callbacks):
    first = cache_token("thing")
    assert cache_token("thing") == first
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cache_bump("thing")
        during = cache_token("thing")
    assert during != first
    callbacks[0]()
    assert cache_token("thing") not in (first, during)


def test_a_fresh_entry_is_served_without_building():
    cache_store("k", "value", 60)
    assert cached_read("k", never_called, 60) == "value"


def test_an_expired_entry_is_served_while_someone_else_rebuilds_it():
    cache.set("k", (time.time() - 1, "previous"), 60)  # past its freshness, still kept
    assert cache.add("k:lock", 1, 30)  # another process is rebuilding
    assert cached_read("k", never_called, 60) == "previous"


def test_the_lock_holder_rebuilds_an_expired_entry_and_releases_the_lock():
    cache.set("k", (time.time() - 1, "previous"), 60)
    assert cached_read("k", lambda: "new", 60) == "new"
    assert cached_read("k", never_called, 60) == "new"
    assert cache.get("k:lock") is None


def test_a_missing_entry_being_built_elsewhere_is_awaited(monkeypatch):
    monkeypatch.setattr(read_cache, "WAIT_SECONDS", 60.0)
    assert cache.add("k:lock", 1, 30)
    builder = threading.Thread(target=lambda: cache_store("k", "built elsewhere", 60))
    builder.start()
    try:
        assert cached_read("k", never_called, 60) == "built elsewhere"
    finally:
        builder.join()


def test_a_missing_entry_whose_builder_is_slow_is_built_after_the_wait(monkeypatch):
    monkeypatch.setattr(read_cache, "WAIT_SECONDS", 0.1)
    assert cache.add("k:lock", 1, 30)
    calls = []
    assert cached_read("k", lambda: calls.append(1) or "mine", 60) == "mine"
    assert calls == [1]


@pytest.mark.parametrize("value", [None, [], 0])
def test_empty_results_are_cached_too(value):
    assert cached_read("k", lambda: value, 60) == value
    assert cached_read("k", never_called, 60) == value
