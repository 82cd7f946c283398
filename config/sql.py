"""The few hot queries written once, from the models' metadata, and read as the ORM reads them.

Django builds a query's SQL afresh each time it runs. For the handful of queries that a page
of a kind makes on every request (who is signed in; the competition whose published results
are shown), building took longer than running: about 0.5 ms against 0.2 ms (benchmarks/,
README "Performance"). Each such query is tested against the ORM's answer, field by field.
On PostgreSQL they run as statements prepared once per connection: planning them took longer
than executing them.
"""

import hashlib

from django.db import connections
from django.db.models import Model


def fetch_one(using: str, sql: str, params: list) -> tuple | None:
    """The first row one of these queries answers, or None."""
    with connections[using].cursor() as cursor:
        _execute(cursor, using, sql, params)
        return cursor.fetchone()


def fetch_all(using: str, sql: str, params: list) -> list[tuple]:
    """Every row one of these queries answers."""
    with connections[using].cursor() as cursor:
        _execute(cursor, using, sql, params)
        return cursor.fetchall()


def _execute(cursor, using: str, sql: str, params: list) -> None:
    """Run one of these queries on the cursor. On PostgreSQL, the query is prepared the first
    time a connection runs it, then executed by name; a new connection prepares it again.
    A prepared statement outlives a rolled-back transaction, so it is never lost unseen."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    kept = getattr(connection, "_leitai_prepared", None)
    if kept is None or kept[0] is not connection.connection:
        kept = connection._leitai_prepared = (connection.connection, set())
    name = "leitai_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
    if name not in kept[1]:
        pieces = sql.split("%s")
        numbered = "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], 1)) + pieces[-1]
        # Straight to the driver: preparing is not a query of the page's (query counts and
        # Django's query log show the EXECUTE).
        cursor.cursor.execute(f"PREPARE {name} AS {numbered}")
        kept[1].add(name)
    cursor.execute(
        f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}",
        params or None,
    )


def quote(using: str, name: str) -> str:
    return connections[using].ops.quote_name(name)


def column(using: str, model: type[Model], name: str, table: str) -> str:
    """table.column of a model's field, by the field's name ("pk" for the primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return f"{table}.{quote(using, field.column)}"


def table(using: str, model: type[Model], alias: str) -> str:
    return f"{quote(using, model._meta.db_table)} {alias}"


class Columns:
    """A model's columns in a query, under a table alias, and how to read them back into an
    instance: with the converters the ORM applies (time zones on SQLite, for one)."""

    def __init__(self, using: str, model: type[Model], alias: str):
        connection = connections[using]
        fields = model._meta.concrete_fields
        self.using, self.model = using, model
        self.sql = ", ".join(f"{alias}.{quote(using, f.column)}" for f in fields)
        self.names = [f.attname for f in fields]
        self.pk = fields.index(model._meta.pk)
        self.readers = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            converters = [
                *connection.ops.get_db_converters(col),
                *col.get_db_converters(connection),
            ]
            self.readers.append((col, converters))

    def __len__(self) -> int:
        return len(self.names)

    def read(self, values) -> Model | None:
        """The instance these values make; None when an outer join found no row."""
        if values[self.pk] is None:
            return None
        connection = connections[self.using]
        read = []
        for value, (col, converters) in zip(values, self.readers, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            read.append(value)
        return self.model.from_db(self.using, self.names, read)


def read_row(row, parts: list[Columns]) -> list:
    """Split one row among the models whose columns it holds, in order; the rest of the row
    (what the query selects after them) comes last, as a tuple."""
    loaded, start = [], 0
    for part in parts:
        loaded.append(part.read(row[start : start + len(part)]))
        start += len(part)
    return [*loaded, tuple(row[start:])]
