"""Who is asking: the signed-in user and their role, in one query per request."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router

from config.sql import Columns, column, fetch_one, read_row, table
from villages.models import District, Membership, Street


@cache
def _user_query(using: str) -> tuple[str, list[Columns]]:
    """The SQL that loads a user with their role, its district and its street (config/sql.py)."""
    user = get_user_model()
    parts = [
        Columns(using, user, "u"),
        Columns(using, Membership, "m"),
        Columns(using, District, "d"),
        Columns(using, Street, "s"),
    ]
    sql = (
        f"SELECT {', '.join(p.sql for p in parts)} FROM {table(using, user, 'u')}"  # noqa: S608
        f" LEFT JOIN {table(using, Membership, 'm')}"
        f" ON {column(using, Membership, 'user', 'm')} = {column(using, user, 'pk', 'u')}"
        f" LEFT JOIN {table(using, District, 'd')}"
        f" ON {column(using, District, 'pk', 'd')} = {column(using, Membership, 'district', 'm')}"
        f" LEFT JOIN {table(using, Street, 's')}"
        f" ON {column(using, Street, 'pk', 's')} = {column(using, Membership, 'street', 'm')}"
        f" WHERE {column(using, user, 'pk', 'u')} = %s"
    )
    return sql, parts


class RoleBackend(ModelBackend):
    """Django's ModelBackend, which also loads the user's role with the user.

    Every signed-in page asks who the user is and then what they may do (villages.permissions);
    loading both together saves a query on every request. The query is written out once rather
    than built by the ORM on each request: on every signed-in page, building it cost twice as
    long as running it (benchmarks/, README "Performance").
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding a malformed id signs nobody in
            return None
        using = router.db_for_read(model)
        sql, parts = _user_query(using)
        row = fetch_one(using, sql, [user_id])
        if row is None:
            return None
        # A missing role leaves its columns, and those of its district and street, NULL.
        user, membership, district, street, _rest = read_row(row, parts)
        if not self.user_can_authenticate(user):
            return None
        if membership is not None:
            membership.district = district
            membership.street = street
            membership.user = user
        user._leitai_membership = membership
        return user
