"""Sessions read from the cache and kept in the database, that outlive the cache (CACHE=redis)."""

import logging

from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger("leitai.sessions")


class SessionStore(cached_db.SessionStore):
    """Django's cached_db sessions, working from the database alone while the cache is down.

    Django's own store already falls back to the database when reading the cache fails, and
    only logs a failed write to it; but it then copies the session into the cache, looks a new
    session's key up there and deletes it there on sign-out, without a guard: with Redis down,
    every signed-in page, and signing in, failed.
    """

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # noqa: BLE001 - whatever the cache (Redis) fails with
            logger.exception("session cache unavailable; asking the database")
            return db.SessionStore.exists(self, session_key)

    def load(self):
        try:
            return super().load()
        except Exception:  # noqa: BLE001 - as in exists()
            logger.exception("session cache unavailable; reading the session from the database")
            return db.SessionStore.load(self)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)  # the database row first, then the cached copy
        except Exception:  # noqa: BLE001 - as in exists()
            # Gone from the database, the session is over; a Redis that lost its copy with
            # the outage (it keeps nothing on disk here) cannot bring it back.
            logger.exception("session cache unavailable; the session is deleted from the database")
