"""Slowing down guessers: wrong one-time codes (ballot slips, sign-in cards) per address.

Counts live in Django's cache. The default cache is per process: behind several app servers,
point CACHES at a shared cache so that the limit holds across them.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger("leitai.throttle")

LIMIT = 20  # wrong codes per address…
WINDOW = 600  # …in this many seconds


def address(request: HttpRequest) -> str:
    """The client's address; behind the HTTPS proxy, the one it forwarded."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.HTTPS else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def blocked(request: HttpRequest, scope: str) -> bool:
    try:
        return cache.get(f"guess:{scope}:{address(request)}", 0) >= LIMIT
    except Exception:  # noqa: BLE001 - whatever the shared cache (Redis) fails with
        # Villagers keep voting while Redis restarts: codes are still checked one by one, and
        # at 128 bits a guesser gains nothing from the few unlimited seconds.
        logger.exception("wrong-code counts unavailable; %s codes not limited", scope)
        return False


def count_miss(request: HttpRequest, scope: str, reason: str) -> None:
    """Count a wrong code, and log it with the address: a refused code, never a used one."""
    key = f"guess:{scope}:{address(request)}"
    logger.warning("%s code refused (%s) from %s", scope, reason, address(request))
    try:
        cache.add(key, 0, WINDOW)
        cache.incr(key)
    except Exception:  # noqa: BLE001 - as in blocked()
        logger.exception("wrong-code counts unavailable; %s miss not counted", scope)
