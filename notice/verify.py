"""Checking a document someone downloaded: its digest recomputed here, and the publication,
version and later versions it names."""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from notice import queries
from scoring.models import Publication
from scoring.results.document import digest

MOST_BYTES = 2 * 1024 * 1024  # a published document of 500 contestants is a few hundred KB


@dataclass
class Result:
    error: str = ""  # why the text could not be checked at all
    computed: str = ""  # the digest of what was sent
    claimed: str | None = None  # the digest the document names for itself
    publication: Publication | None = None
    kind: str = ""  # "public" or "results": which of the version's documents it is
    latest: int | None = None  # the competition's latest version
    chain: list = field(default_factory=list)  # the competition's versions, oldest first

    @property
    def found(self) -> bool:
        return self.publication is not None

    @property
    def altered(self) -> bool:
        """The document names a digest its contents do not give."""
        return bool(self.computed) and self.claimed is not None and self.claimed != self.computed

    @property
    def later(self) -> bool:
        return self.found and self.latest > self.publication.version


def check(raw: bytes) -> Result:
    if not raw.strip():
        return Result(error=_("Choose the document's file, or paste its text."))
    if len(raw) > MOST_BYTES:
        return Result(
            error=_("The document is larger than any published one (at most %(kb)s KB).")
            % {"kb": MOST_BYTES // 1024}
        )
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return Result(error=_("This is not a results document: it is not JSON."))
    if not isinstance(document, dict) or not isinstance(document.get("competition"), dict):
        return Result(error=_("This is not a results document: it has no competition."))
    try:
        computed = digest(document)
    except (TypeError, ValueError):
        return Result(error=_("This is not a results document."))
    claimed = document["competition"].get("digest")
    result = Result(computed=computed, claimed=claimed if isinstance(claimed, str) else None)
    match = queries.publication_of_digest(computed)
    if match is not None:
        result.publication, result.kind, result.latest = match
        result.chain = list(
            Publication.objects.filter(competition_id=result.publication.competition_id)
            .only("version", "at", "digest", "public_digest", "previous_digest")
            .order_by("version")
        )
    return result
