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


class Loader:
    """Rows of a model by equality on some of its fields, with the models its relations lead
    to joined in the same query, as select_related joins them (`follow` takes the same paths)
    and linked on the instances. `annotate` adds values computed in SQL, by attribute name,
    from the root table's alias; `suffix` ends the query (a row lock). Built once."""

    ROOT = "t0"

    def __init__(
        self,
        using: str,
        model: type[Model],
        *,
        where: tuple[str, ...],
        follow: tuple[str, ...] = (),
        annotate: dict | None = None,
        suffix: str = "",
    ):
        self.using, self.model = using, model
        self.parts = [Columns(using, model, self.ROOT)]
        self.links = []  # (index of the parent part, relation, index of the part it leads to)
        joins, aliases = [], {"": (0, model, self.ROOT, False)}
        for path in follow:
            names = path.split("__")
            for depth in range(1, len(names) + 1):
                prefix = "__".join(names[:depth])
                if prefix in aliases:
                    continue
                parent_index, parent, parent_alias, outer = aliases["__".join(names[: depth - 1])]
                relation = parent._meta.get_field(names[depth - 1])
                alias = f"t{len(self.parts)}"
                target = relation.related_model
                if relation.concrete:  # a foreign key of the parent's
                    outer = outer or relation.null
                    on = (
                        f"{column(using, target, 'pk', alias)}"
                        f" = {parent_alias}.{quote(using, relation.column)}"
                    )
                else:  # a one-to-one pointing at the parent
                    outer = True
                    on = (
                        f"{alias}.{quote(using, relation.field.column)}"
                        f" = {column(using, parent, 'pk', parent_alias)}"
                    )
                kind = "LEFT JOIN" if outer else "INNER JOIN"
                joins.append(f" {kind} {table(using, target, alias)} ON {on}")
                aliases[prefix] = (len(self.parts), target, alias, outer)
                self.links.append((parent_index, relation, len(self.parts)))
                self.parts.append(Columns(using, target, alias))
        self.annotations = list((annotate or {}).items())
        selected = [p.sql for p in self.parts] + [
            f"({sql(self.ROOT)})" for _, sql in self.annotations
        ]
        conditions = " AND ".join(f"{column(using, model, name, self.ROOT)} = %s" for name in where)
        self.sql = (
            f"SELECT {', '.join(selected)} FROM {table(using, model, self.ROOT)}"  # noqa: S608
            f"{''.join(joins)} WHERE {conditions}{suffix}"
        )

    def one(self, params: list) -> Model | None:
        """The first row's instance, or None."""
        row = fetch_one(self.using, self.sql, params)
        return self._read(row) if row is not None else None

    def all(self, params: list) -> list[Model]:
        return [self._read(row) for row in fetch_all(self.using, self.sql, params)]

    def _read(self, row) -> Model:
        loaded, start = [], 0
        for part in self.parts:
            loaded.append(part.read(row[start : start + len(part)]))
            start += len(part)
        for parent, relation, index in self.links:
            if loaded[parent] is None:
                continue
            if relation.concrete:
                setattr(loaded[parent], relation.name, loaded[index])
            else:  # as select_related keeps it, None included: no query to ask again
                relation.set_cached_value(loaded[parent], loaded[index])
                if loaded[index] is not None:
                    relation.field.set_cached_value(loaded[index], loaded[parent])
        root = loaded[0]
        for (name, _sql), value in zip(self.annotations, row[start:], strict=True):
            setattr(root, name, value)
        return root
