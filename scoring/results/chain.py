"""The version chain of a competition's published documents, and the public document.

Each version's results document names the digest of the version before it
(`competition.previous_digest`; the first version has no such key), and its own digest is taken
over the document with that key in it: a version cannot be replaced without changing the digest
of every later one.

The results document holds every judge's sheet. The public document — what the public notice
shows and anyone may download — is the document without the sheets (the publication's summary),
with `competition.results_digest` the digest of this version's results document and
`competition.previous_digest` the public digest of the version before; its own digest,
`competition.digest`, is taken the same way (scoring.results.document.canonical). It is derived
from the publication whenever it is needed, so it never differs from what was published.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.results.document import digest, summary_of


def seal(document: dict, previous_digest: str | None) -> str:
    """Link the document to the version before (none for the first) and set its digest."""
    competition = document["competition"]
    competition.pop("previous_digest", None)
    if previous_digest:
        competition["previous_digest"] = previous_digest
    competition["digest"] = digest(document)
    return competition["digest"]


def public_document(summary: dict, results_digest: str, previous_public: str | None) -> dict:
    """The public document of a version: its summary (the document without the sheets), naming
    the version's results digest and the previous version's public digest, with its own
    digest."""
    competition = {
        key: value for key, value in summary["competition"].items() if key != "previous_digest"
    }
    competition["results_digest"] = results_digest
    if previous_public:
        competition["previous_digest"] = previous_public
    document = summary | {"competition": competition}
    competition["digest"] = digest(document)
    return document


@dataclass(frozen=True)
class Link:
    """One version as verify_chain() found it."""

    version: int
    digest: str
    public_digest: str
    ok: bool  # this version and every one before it are as they were published
    problem: str = ""  # "digest", "public", "link" or "broken_before": why it is not ok


def verify_chain(publications: Sequence) -> list[Link]:
    """Walk a competition's publications in version order, recomputing every digest from the
    documents: a version is ok when its document gives its digest, its public document gives
    its public digest, it names the digest the version before really has, and every version
    before it is ok. Altering any version — its document, or its document and digests together
    — so breaks it or the next one, and with it every later one."""
    links, previous, previous_public, intact = [], None, None, True
    for publication in sorted(publications, key=lambda p: p.version):
        document = publication.document
        named = document["competition"].get("previous_digest")
        recomputed = digest(document)
        public = public_document(summary_of(document), recomputed, previous_public)
        public = public["competition"]["digest"]
        problem = ""
        if recomputed != publication.digest or document["competition"].get("digest") != (
            publication.digest
        ):
            problem = "digest"
        elif named != previous or (publication.previous_digest or None) != previous:
            problem = "link"
        elif public != publication.public_digest:
            problem = "public"
        elif not intact:
            problem = "broken_before"
        intact = intact and not problem
        links.append(
            Link(
                publication.version, publication.digest, publication.public_digest, intact, problem
            )
        )
        previous, previous_public = recomputed, public
    return links
