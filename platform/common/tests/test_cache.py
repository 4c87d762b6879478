"""The read cache's building blocks: tokens, and reads that never stampede."""

import socket
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


class CountedCache:
    """The read cache's cache, with each call it receives written down (and passed on)."""

    def __init__(self, cache) -> None:
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        method = getattr(self.cache, name)
        if not callable(method):
            return method

        def call(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def test_a_hit_with_tokens_reads_the_tokens_and_the_entry_in_one_call(monkeypatch):
    assert cached_read("k", lambda: "built", 60, tokens=["a", "b"]) == "built"
    counted = CountedCache(cache)
    monkeypatch.setattr(read_cache, "cache", counted)
    assert cached_read("k", never_called, 60, tokens=["a", "b"]) == "built"
    assert counted.calls == ["get_many"]


@pytest.mark.django_db
def test_a_bump_makes_an_entry_stamped_with_the_old_token_a_miss():
    assert cached_read("k", lambda: "before", 60, tokens=["thing"]) == "before"
    cache_bump("thing")
    assert cached_read("k", lambda: "after", 60, tokens=["thing"]) == "after"
    assert cached_read("k", never_called, 60, tokens=["thing"]) == "after"


@pytest.mark.django_db
def test_an_invalidated_entry_is_never_served_while_someone_rebuilds_it(monkeypatch):
    monkeypatch.setattr(read_cache, "WAIT_SECONDS", 0.1)
    assert cached_read("k", lambda: "before", 60, tokens=["thing"]) == "before"
    cache_bump("thing")
    assert cache.add(f"k:{cache_token('thing')}:lock", 1, 30)  # a rebuild under way elsewhere
    assert cached_read("k", lambda: "after", 60, tokens=["thing"]) == "after"


@pytest.mark.django_db
def test_a_token_nobody_set_yet_stamps_the_entry_unset_until_a_bump(monkeypatch):
    counted = CountedCache(cache)
    monkeypatch.setattr(read_cache, "cache", counted)
    assert cached_read("k", lambda: "built", 60, tokens=["new"]) == "built"
    # read, lock, store + unlock: nothing is created on the read path
    assert counted.calls == ["get_many", "add"]  # the store and unlock: one pipeline
    assert cache.get("token:new") is None and cache.get("k")[2] == read_cache.UNSET
    assert cached_read("k", never_called, 60, tokens=["new"]) == "built"
    cache_bump("new")
    assert cached_read("k", lambda: "after", 60, tokens=["new"]) == "after"


@pytest.mark.parametrize("bumped", [False, True])
@pytest.mark.django_db
def test_the_lock_holder_of_a_tokened_entry_releases_its_lock(bumped):
    if bumped:
        cache_bump("thing")
    stamp = cache.get("token:thing") or read_cache.UNSET
    assert cache.add(f"k:{stamp}:lock", 1, 30)  # the lock's name, proven free first
    cache.delete(f"k:{stamp}:lock")
    assert cached_read("k", lambda: "built", 60, tokens=["thing"]) == "built"
    assert cache.get("k")[2] == stamp
    assert cache.get(f"k:{stamp}:lock") is None


def test_a_failed_build_releases_the_lock():
    with pytest.raises(ZeroDivisionError):
        cached_read("k", lambda: 1 / 0, 60, tokens=["thing"])
    assert cache.get(f"k:{read_cache.UNSET}:lock") is None
    assert cached_read("k", lambda: "built", 60, tokens=["thing"]) == "built"


def test_what_was_read_ahead_is_not_read_again(monkeypatch):
    assert cached_read("k", lambda: "built", 60, tokens=["a"]) == "built"
    found = cache.get_many(read_cache.read_keys("k", ["a"]))
    counted = CountedCache(cache)
    monkeypatch.setattr(read_cache, "cache", counted)
    assert cached_read("k", never_called, 60, tokens=["a"], found=found) == "built"
    assert counted.calls == []
    # read ahead before a bump: the stamp no longer matches, the entry is rebuilt
    assert cached_read("k", lambda: "again", 60, tokens=["a"], found={"k": ("x", "y", "z")}) == (
        "again"
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("tokens", [(), ("thing",)])
def test_with_redis_unreachable_every_read_is_built(settings, tokens):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    calls = []
    for _ in range(2):
        assert cached_read("k", lambda: calls.append(1) or "built", 60, tokens=tokens) == "built"
    assert calls == [1, 1]
