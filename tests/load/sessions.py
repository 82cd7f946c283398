"""Signed-in sessions for app servers in other processes: the load tests and the benchmark
send their cookie, as a phone that signed in would."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User


def signed_in_session(user: User) -> str:
    """A signed-in session, stored where every app process finds it."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "villages.auth.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
