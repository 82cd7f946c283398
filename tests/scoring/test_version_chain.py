"""The version chain (issue 17 item 3): each version's digest covers the digest of the version
before, so altering any version breaks every later one."""

import pytest

from scoring.models import Publication
from scoring.results import document as results
from scoring.results.chain import public_document, seal, verify_chain
from scoring.results.services import amend_published, publish_competition


def _three_versions(closed, by):
    publish_competition(competition=closed, by=by)
    for grade, reason in (("basic", "群众反映属实"), ("competent", "复核后恢复")):
        amend_published(
            competition=closed,
            contestant=closed.contestants.get(order=2),
            grade=grade,
            reason=reason,
            by=by,
        )
    return list(Publication.objects.filter(competition=closed).order_by("version"))


def test_each_version_names_the_digest_of_the_one_before(closed, street_staff_carol):
    first, second, third = _three_versions(closed, street_staff_carol)

    assert "previous_digest" not in first.document["competition"]
    assert first.previous_digest == ""
    assert second.document["competition"]["previous_digest"] == second.previous_digest
    assert second.previous_digest == first.digest
    assert third.previous_digest == second.digest
    for publication in (first, second, third):
        assert results.digest(publication.document) == publication.digest
    assert [link.ok for link in verify_chain([first, second, third])] == [True, True, True]


def test_the_public_chain_names_each_results_digest_and_the_public_digest_before(
    closed, street_staff_carol
):
    first, second, _third = _three_versions(closed, street_staff_carol)

    public = public_document(second.summary, second.digest, first.public_digest)
    assert public["competition"]["digest"] == second.public_digest
    assert public["competition"]["results_digest"] == second.digest
    assert public["competition"]["previous_digest"] == first.public_digest
    assert results.digest(public) == second.public_digest
    assert all("sheets" not in row for row in public["contestants"])


def _altered(publication, rehash):
    """The publication with a score changed in its document; with `rehash`, its digests too, as
    someone replacing the version quietly would set them."""
    document = publication.document
    document["contestants"][0]["final_score"] = "99.99"
    if rehash:
        previous = document["competition"].get("previous_digest")
        publication.digest = seal(document, previous)
        publication.public_digest = public_document(
            results.summary_of(document), publication.digest, None
        )["competition"]["digest"]
    return publication


@pytest.mark.parametrize("rehash", [False, True], ids=["document only", "document and digests"])
@pytest.mark.parametrize("altered", [0, 1])
def test_altering_any_earlier_version_breaks_every_later_one(
    closed, street_staff_carol, altered, rehash
):
    chain = _three_versions(closed, street_staff_carol)
    chain[altered] = _altered(chain[altered], rehash)
    if rehash and altered == 1:
        # Its public digest names the public digest before it, as a forger would also set.
        chain[1].public_digest = public_document(
            results.summary_of(chain[1].document), chain[1].digest, chain[0].public_digest
        )["competition"]["digest"]

    links = verify_chain(chain)

    assert [link.ok for link in links[:altered]] == [True] * altered
    later = links[altered + 1 :]
    assert later and not any(link.ok for link in later)
    if rehash:
        # The altered version itself is consistent; the next one no longer names it.
        assert links[altered].ok and links[altered + 1].problem == "link"
    else:
        assert links[altered].problem == "digest"


@pytest.mark.django_db(transaction=True)
def test_publications_made_before_the_chain_are_linked_by_the_migration(closed, street_staff_carol):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    chain = _three_versions(closed, street_staff_carol)
    # As they were published before the chain: no version names the one before.
    for publication in chain:
        document = publication.document
        document["competition"].pop("previous_digest", None)
        document["competition"]["digest"] = results.digest(document)
        Publication.objects.filter(pk=publication.pk).update(
            document=document,
            digest=document["competition"]["digest"],
            summary=results.summary_of(document),
            previous_digest="",
            public_digest="",
        )
    unlinked_first = Publication.objects.get(competition=closed, version=1).digest

    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0010_blind_tally_entries")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    linked = list(Publication.objects.filter(competition=closed).order_by("version"))
    assert [link.ok for link in verify_chain(linked)] == [True, True, True]
    assert linked[0].digest == unlinked_first  # the first version names none: it keeps its digest
    assert linked[1].previous_digest == linked[0].digest
    assert linked[2].summary == results.summary_of(linked[2].document)
