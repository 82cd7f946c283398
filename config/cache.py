"""The shared caches: the database cache (CACHE=db), with an increment that loses no count;
and the Redis cache (CACHE=redis://…), which keeps its Redis client."""

from django.core.cache.backends import db, redis
from django.db import connections, router, transaction


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, whose incr() locks the row it changes.

    Django's own incr() reads the value and writes it back plus one: two app processes counting
    the same key at once both write the same number, and a count is lost. The wrong-code limit
    (villages/throttle.py) counts this way from every process, so a guesser sending codes in
    parallel got through more than twice the limit. It also gave the key the default timeout
    (five minutes) instead of the one it was added with.
    """

    def incr(self, key, delta=1, version=None):
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)
        cache_key = self.make_and_validate_key(key, version=version)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Without row locks (SQLite), the transaction itself takes the write lock.
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT expires FROM {table} WHERE cache_key = %s{lock}",  # noqa: S608 - the cache's own table
                [cache_key],
            )
            row = cursor.fetchone()
            value = super().incr(key, delta, version)
            # Django's incr() writes the value back with the default timeout: keep the key's
            # own expiry instead, so a count lasts the window it was started for.
            if row is not None:
                cursor.execute(
                    f"UPDATE {table} SET expires = %s WHERE cache_key = %s",  # noqa: S608 - likewise
                    [row[0], cache_key],
                )
            return value


class RedisCacheClient(redis.RedisCacheClient):
    """Django's Redis client, which makes one redis-py client per connection pool instead of one
    per call. Making one copies redis-py's table of reply handlers, about 170 entries: a tenth
    of a millisecond on every signed-in page, whose session is read from Redis. A redis-py
    client is safe to share; its pool hands out the connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
