"""Queries written once run as statements prepared once per PostgreSQL connection (config/sql)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from config.sql import fetch_one

pytestmark = pytest.mark.django_db(transaction=True)
SQL = "SELECT %s + 1, %s"


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'leitai_%%'")
        return {name for (name,) in cursor.fetchall()}


def _run(number: int, text: str):
    return fetch_one("default", SQL, [number, text])


def test_it_answers_as_the_plain_query_on_every_database():
    assert _run(41, "村") == (42, "村")
    assert _run(1, "x'; DROP TABLE auth_user; --") == (2, "x'; DROP TABLE auth_user; --")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_it_prepares_once_per_connection_and_again_on_a_new_one():
    connection.close()
    _run(1, "a")
    names = _prepared()
    assert len(names) == 1
    with CaptureQueriesContext(connection) as queries:
        assert _run(2, "b") == (3, "b")
    assert [q["sql"].split("(")[0] for q in queries] == [f"EXECUTE {names.pop()}"]

    connection.close()  # as when CONN_MAX_AGE ends a connection: its statements go with it
    assert _prepared() == set()
    assert _run(3, "c") == (4, "c")
    assert len(_prepared()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable():
    connection.close()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _run(1, "a")
        raise ZeroDivisionError
    assert _run(5, "e") == (6, "e")
