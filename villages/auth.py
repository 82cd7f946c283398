"""Who is asking: the signed-in user and their role, in one query per request."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from villages.models import District, Membership, Street


@cache
def _user_query(alias: str) -> tuple[str, list[tuple[type, list[str], list]]]:
    """The SQL that loads a user with their role, its district and its street; and for each
    model, the attributes it takes from a row and how each column's value is read, as the ORM
    reads it (time zones on SQLite, for one). Built once from the models' own metadata, so it
    follows their fields as migrations change them."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    user = get_user_model()
    parts = [(user, "u"), (Membership, "m"), (District, "d"), (Street, "s")]
    columns, shapes = [], []
    for model, table in parts:
        fields = model._meta.concrete_fields
        columns += [f"{table}.{quote(f.column)}" for f in fields]
        readers = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            converters = [
                *connection.ops.get_db_converters(col),
                *col.get_db_converters(connection),
            ]
            readers.append((col, converters))
        shapes.append((model, [f.attname for f in fields], readers))

    def pk(model):
        return quote(model._meta.pk.column)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    # Only names from the models' metadata, quoted; the user's id is the one parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(user._meta.db_table)} u"  # noqa: S608
        f" LEFT JOIN {quote(Membership._meta.db_table)} m"
        f" ON m.{column(Membership, 'user')} = u.{pk(user)}"
        f" LEFT JOIN {quote(District._meta.db_table)} d"
        f" ON d.{pk(District)} = m.{column(Membership, 'district')}"
        f" LEFT JOIN {quote(Street._meta.db_table)} s"
        f" ON s.{pk(Street)} = m.{column(Membership, 'street')}"
        f" WHERE u.{pk(user)} = %s"
    )
    return sql, shapes


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
        alias = router.db_for_read(model)
        sql, shapes = _user_query(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        connection = connections[alias]
        loaded, start = [], 0
        for part, names, readers in shapes:
            values = row[start : start + len(names)]
            start += len(names)
            # A missing role leaves its columns, and those of its district and street, NULL.
            if values[0] is None:
                loaded.append(None)
                continue
            read = []
            for value, (col, converters) in zip(values, readers, strict=True):
                for convert in converters:
                    value = convert(value, col, connection)
                read.append(value)
            loaded.append(part.from_db(alias, names, read))
        user, membership, district, street = loaded
        if not self.user_can_authenticate(user):
            return None
        if membership is not None:
            membership.district = district
            membership.street = street
            membership.user = user
        user._leitai_membership = membership
        return user
