"""Link the publications made before the version chain: every version after the first names the
digest of the version before and gets its digest anew (the first versions keep theirs: they name
no version before, so their documents do not change); every version gets its public digest.

The digest rules are copied here (scoring.results.document.canonical, scoring.results.chain), so
that this migration gives the same answer whatever those modules become."""

import hashlib
import json

from django.db import migrations


def _digest(document):
    body = json.loads(json.dumps(document))
    body["competition"]["digest"] = None
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _summary(document):
    rows = [{k: v for k, v in row.items() if k != "sheets"} for row in document["contestants"]]
    return document | {"contestants": rows}


def _public_digest(summary, results_digest, previous_public):
    competition = {k: v for k, v in summary["competition"].items() if k != "previous_digest"}
    competition["results_digest"] = results_digest
    if previous_public:
        competition["previous_digest"] = previous_public
    return _digest(summary | {"competition": competition})


def link(apps, schema_editor):
    Publication = apps.get_model("scoring", "Publication")
    previous = {}  # competition id → (digest, public digest) of the version just linked
    for publication in Publication.objects.order_by("competition_id", "version").iterator(
        chunk_size=200
    ):
        before = previous.get(publication.competition_id)
        document = publication.document
        fields = ["public_digest"]
        if before is not None:
            document["competition"]["previous_digest"] = before[0]
            document["competition"]["digest"] = _digest(document)
            publication.digest = document["competition"]["digest"]
            publication.previous_digest = before[0]
            publication.summary = _summary(document)
            fields += ["document", "digest", "previous_digest", "summary"]
        publication.public_digest = _public_digest(
            publication.summary or _summary(document),
            publication.digest,
            before[1] if before else None,
        )
        publication.save(update_fields=fields)
        previous[publication.competition_id] = (publication.digest, publication.public_digest)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0011_publication_chain"),
    ]

    operations = [
        migrations.RunPython(link, migrations.RunPython.noop),
    ]
