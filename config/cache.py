"""The database cache (CACHE=db), with an increment that loses no count."""

from django.core.cache.backends import db
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
