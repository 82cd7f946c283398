"""Backup and restore as docs/deploy.md describes: pg_dump, then pg_restore into a fresh
database; a published competition keeps the same results digest."""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from competition import services as competition_services
from scoring.results import document as results
from scoring.results.services import publish_competition
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backup"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is missing"),
]


def _path() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _args(settings: dict) -> list[str]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    return args


def test_a_restored_database_yields_the_same_results_digest(street_staff_carol, tmp_path):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all():
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=seat.user,
        )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    published = publish_competition(competition=competition, by=street_staff_carol)

    settings = connection.settings_dict
    dump = tmp_path / "leitai.dump"
    subprocess.run(  # noqa: S603 - the documented backup command, fixed arguments
        ["pg_dump", "--format=custom", f"--file={dump}", *_args(settings), settings["NAME"]],  # noqa: S607
        check=True,
        env={"PGPASSWORD": settings.get("PASSWORD") or ""} | _path(),
    )
    restored = f"leitai_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        dbname="postgres",
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER"),
        password=settings.get("PASSWORD") or None,
    )
    admin.autocommit = True
    try:
        admin.cursor().execute(f'CREATE DATABASE "{restored}"')
        subprocess.run(  # noqa: S603 - the documented restore command, fixed arguments
            ["pg_restore", "--no-owner", f"--dbname={restored}", *_args(settings), str(dump)],  # noqa: S607
            check=True,
            env={"PGPASSWORD": settings.get("PASSWORD") or ""} | _path(),
        )
        copy = psycopg2.connect(
            dbname=restored,
            host=settings.get("HOST") or None,
            port=settings.get("PORT") or None,
            user=settings.get("USER"),
            password=settings.get("PASSWORD") or None,
        )
        try:
            cursor = copy.cursor()
            cursor.execute(
                "SELECT document, digest FROM scoring_publication WHERE competition_id = %s",
                [competition.pk],
            )
            document, digest = cursor.fetchone()
        finally:
            copy.close()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.close()

    assert digest == published.digest
    assert results.digest(document) == published.digest
    assert document == published.document
