"""The judges' comments of a results document: with their names for staff (the results page,
the judges' summaries, the exports), without them for the secretary's feedback sheet."""

import random

from django.utils.crypto import salted_hmac

from competition.models import Competition, Judge
from scoring.models import ScoreSheet


def with_comments(competition: Competition, document: dict) -> dict:
    """The document with each sheet's comment. A document holds them since comments became part
    of it; one published before has them read from the competition's submitted sheets — which
    no one edits after publication — matched by village and judge. No query for a document
    that holds them, else one. The document itself is not changed (its digest covers it)."""
    if all("comment" in s for row in document["contestants"] for s in row["sheets"]):
        return document
    sheets = (
        ScoreSheet.objects.filter(
            judge__competition=competition,
            judge__status=Judge.Status.ACTIVE,
            status=ScoreSheet.Status.SUBMITTED,
        )
        .exclude(comment="")
        .select_related("judge__user", "contestant__village")
    )
    found = {(s.contestant.village.code, s.judge.display_name): s.comment for s in sheets}
    return document | {
        "contestants": [
            row
            | {
                "sheets": [
                    sheet | {"comment": found.get((row["village_code"], sheet["judge"]), "")}
                    for sheet in row["sheets"]
                ]
            }
            for row in document["contestants"]
        ]
    }


def named_comments(row: dict) -> list[tuple[str, str]]:
    """A contestant's comments with their judges' names, in the document's order."""
    return [(s["judge"], s["comment"]) for s in row["sheets"] if s.get("comment")]


def anonymous_comments(row: dict, digest: str | None) -> list[str]:
    """A contestant's comments without names, shuffled so their order says nothing of who wrote
    which (the document keeps sheets in the judges' order). The shuffle is seeded by the
    server's secret, the document's digest and the village: a reprint shows the same order,
    while no one holding the document and the digest (printed on the notice) can repeat it."""
    comments = [comment for _judge, comment in named_comments(row)]
    seed = salted_hmac("leitai.feedback.comments", f"{digest}:{row['village_code']}").digest()
    random.Random(seed).shuffle(comments)  # noqa: S311 - an order to hide, not a secret
    return comments
