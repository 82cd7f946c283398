"""The Redis cache (config/cache.py): Django's, keeping one Redis client per connection pool."""

import os

import pytest
import redis as redis_py
from django.utils.crypto import get_random_string

from config.cache import RedisCache

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def cache():
    try:
        redis_py.Redis.from_url(REDIS).ping()
    except redis_py.ConnectionError:
        pytest.skip(f"no Redis at {REDIS} (.ci/run starts one)")
    # A prefix of its own: the test touches no one else's keys.
    return RedisCache(REDIS, {"KEY_PREFIX": "test-cache-" + get_random_string(8)})


def test_it_makes_one_client_and_reuses_it(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any key") is client
    assert isinstance(client, redis_py.Redis)


def test_it_stores_counts_and_forgets_as_djangos_does(cache):
    assert cache.get("会话") is None
    cache.set("会话", {"user": 7, "名": "丹"}, 60)
    assert cache.get("会话") == {"user": 7, "名": "丹"}
    assert cache.add("count", 1, 60) is True
    assert cache.add("count", 5, 60) is False
    assert cache.incr("count") == 2
    cache.delete("会话")
    cache.delete("count")
    assert cache.get("会话") is None and cache.get("count") is None


def test_the_kept_client_connects_again_after_its_connections_drop(cache):
    cache.set("k", "v", 60)
    cache._cache.get_client().connection_pool.disconnect()  # as when Redis restarts
    assert cache.get("k") == "v"
    cache.delete("k")
