"""The database cache (CACHE=db), with an increment that loses no count."""

from django.core.cache.backends import db
from django.db import connections, router, transaction


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, whose incr() locks the row it changes.

    Django's own incr() reads the value and writes it back plus one: two app processes counting
    the same key at once both write the same number, and a count is lost. The wrong-code limit
    (villages/throttle.py) counts this way from every process, so a guesser sending codes in
    parallel got through more than twice the limit.
    """

    def incr(self, key, delta=1, version=None):
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        with transaction.atomic(using=alias):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608 - the cache's own table
                        [self.make_and_validate_key(key, version=version)],
                    )
            # Without row locks (SQLite), the transaction itself takes the write lock.
            return super().incr(key, delta, version)
