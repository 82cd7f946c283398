"""Who is asking: the signed-in user and their role, in one query per request."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router

from config.sql import Loader


@cache
def _users(using: str) -> Loader:
    """A user with their role, its district and its street (config/sql.py)."""
    return Loader(
        using,
        get_user_model(),
        where=("pk",),
        follow=("membership__district", "membership__street"),
    )


class RoleBackend(ModelBackend):
    """Django's ModelBackend, which also loads the user's role with the user.

    Every signed-in page asks who the user is and then what they may do (villages.permissions);
    loading both together saves a query on every request. The query is built once, from the
    models (config/sql.py), because every signed-in page makes it.
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding a malformed id signs nobody in
            return None
        user = _users(router.db_for_read(model)).one([user_id])
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
