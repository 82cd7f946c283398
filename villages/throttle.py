"""Slowing down floods of wrong one-time codes (ballot slips, sign-in cards) per address.

A code is always looked up first: a valid unused code works whatever its address has sent
before, and a used, withdrawn or expired one is answered as such without counting as a guess.
Only unknown codes count. Codes carry 128 bits or more, so guessing is hopeless whatever the
limit; it is there to keep a flood of wrong codes from filling the logs and the cache, and it
is sized for a village meeting or a venue on one Wi-Fi, or a carrier's shared address. Past
it, an unknown code is answered at once with a page saying to wait, and is neither logged nor
counted again. It is not made to wait: a reply held back would hold an app process, and a
flood of them would keep the valid codes waiting too.

Counts live in Django's cache. The default cache is per process: behind several app servers,
point CACHES at a shared cache so that the limit holds across them.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger("leitai.throttle")

# A meeting of about a hundred representatives on one address, each mistyping a few times,
# stays well under it.
LIMIT = 300  # unknown codes per address…
WINDOW = 600  # …in this many seconds from the first one
MINUTES = WINDOW // 60  # what the page tells the room to wait, at most


def address(request: HttpRequest) -> str:
    """The client's address; behind the HTTPS proxy, the one it forwarded."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.HTTPS else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def _key(request: HttpRequest, scope: str) -> str:
    return f"guess:{scope}:{address(request)}"


def slowed(request: HttpRequest, scope: str) -> bool:
    """Whether this address has sent LIMIT unknown codes in the window: ask only about one."""
    try:
        return cache.get(_key(request, scope), 0) >= LIMIT
    except Exception:  # noqa: BLE001 - whatever the shared cache (Redis) fails with
        # Villagers keep voting while Redis restarts: codes are still checked one by one, and
        # at 128 bits a guesser gains nothing from the few unlimited seconds.
        logger.exception("wrong-code counts unavailable; %s codes not limited", scope)
        return False


def count_miss(request: HttpRequest, scope: str) -> None:
    """Count an unknown code, and log it with the address: never a used or withdrawn one."""
    key = _key(request, scope)
    logger.warning("unknown %s code from %s", scope, address(request))
    try:
        cache.add(key, 0, WINDOW)
        if cache.incr(key) == LIMIT:
            logger.warning(
                "%s unknown %s codes from %s: further ones are not logged for %s minutes",
                LIMIT,
                scope,
                address(request),
                MINUTES,
            )
    except Exception:  # noqa: BLE001 - as in slowed()
        logger.exception("wrong-code counts unavailable; %s miss not counted", scope)


def unknown_code(request: HttpRequest, scope: str) -> bool:
    """An unknown code came: count it, or, past the limit, say so (True) without counting."""
    if slowed(request, scope):
        return True
    count_miss(request, scope)
    return False


def spent(request: HttpRequest, scope: str, limit: int) -> bool:
    """Count one more request of this kind (a document checked, an objection lodged) from this
    address, as unknown codes are counted; True, and not counted, once `limit` were made in the
    window."""
    try:
        if cache.get(_key(request, scope), 0) >= limit:
            return True
        cache.add(_key(request, scope), 0, WINDOW)
        cache.incr(_key(request, scope))
    except Exception:  # noqa: BLE001 - as in slowed()
        logger.exception("request counts unavailable; %s not limited", scope)
    return False
