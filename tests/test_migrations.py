from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:
        pytest.fail("Models changed without a migration:\n" + out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_publications_made_before_summaries_get_theirs(street, district_dan):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from scoring.models import Publication
    from tests.scoring.test_rankings import publish

    competition = publish(street, 2026, 1, {"A": "91.00", "B": "80.00"}, district_dan)
    document = competition.publications.get().document
    document["contestants"][0]["sheets"] = [{"judge": "王", "percent": "91.00"}]
    Publication.objects.filter(competition=competition).update(document=document)

    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0007_order_within_parent_by_id")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    summary = Publication.objects.get(competition=competition).summary
    assert [row["village_code"] for row in summary["contestants"]] == ["A", "B"]
    assert all("sheets" not in row for row in summary["contestants"])
    assert summary["competition"] == document["competition"]
