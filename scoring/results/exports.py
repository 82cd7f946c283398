"""A results document as spreadsheets: the ranking and each judge's table, CSV and XLSX."""

from django.utils.translation import pgettext

from competition.models import Judge
from scoring import domain
from scoring.reports import spreadsheets
from scoring.results.comments import named_comments
from scoring.results.document import GRADE_LABELS, criterion_averages, reason_text


def _names(document: dict, names: dict[str, str] | None) -> list[str]:
    """The criteria's names: `names` (code → name in the reader's language) where given, else
    the document's own (Chinese) names."""
    return [(names or {}).get(c["code"], c["name"]) for c in document["criteria"]]


def _comments(row: dict) -> str:
    """The judges' comments on a contestant, each after its judge's name, one a line."""
    return "\n".join(
        pgettext("spreadsheet", "%(judge)s: %(comment)s") % {"judge": judge, "comment": comment}
        for judge, comment in named_comments(row)
    )


def ranking_table(document: dict, names: dict[str, str] | None = None) -> spreadsheets.Table:
    """The ranking, one row per contestant in rank order, in the reader's language: what the
    results page shows, with each criterion's average and the democratic counts."""
    criteria = document["criteria"]
    header = [
        pgettext("spreadsheet", "Rank"),
        pgettext("spreadsheet", "Secretary"),
        pgettext("spreadsheet", "Village"),
        pgettext("spreadsheet", "Village code"),
        pgettext("spreadsheet", "Street"),
        pgettext("spreadsheet", "Speaking order"),
        *_names(document, names),
        pgettext("spreadsheet", "Panel score"),
        pgettext("spreadsheet", "Disagreement"),
        pgettext("spreadsheet", "Excellent ballots"),
        pgettext("spreadsheet", "Competent ballots"),
        pgettext("spreadsheet", "Basic competent ballots"),
        pgettext("spreadsheet", "Incompetent ballots"),
        pgettext("spreadsheet", "Valid ballots"),
        pgettext("spreadsheet", "Democratic score"),
        pgettext("spreadsheet", "Final score"),
        pgettext("spreadsheet", "Grade"),
        pgettext("spreadsheet", "Reasons"),
        pgettext("spreadsheet", "Judges' comments"),
    ]
    rows = []
    for row in document["contestants"]:
        averages = criterion_averages(document, row)
        democratic = row["democratic"] or {}
        rows.append(
            [
                row["rank"],
                row["secretary"],
                row["village"],
                row["village_code"],
                row["street"],
                row["order"],
                *(spreadsheets.number(averages[c["code"]]) for c in criteria),
                spreadsheets.number(row["panel_score"]),
                spreadsheets.number(row["disagreement"]),
                *(democratic.get(choice) for choice in (*domain.CHOICES, "valid")),
                spreadsheets.number(democratic.get("score")),
                spreadsheets.number(row["final_score"]),
                str(GRADE_LABELS.get(row["grade"] or "", "")),
                " ".join(reason_text(r) for r in row["reasons"]),
                _comments(row),
            ]
        )
    return spreadsheets.Table(pgettext("spreadsheet", "Ranking"), header, rows)


def judge_tables(document: dict, names: dict[str, str] | None = None) -> list[spreadsheets.Table]:
    """One table per judge: their sheets in speaking order, with the points of each criterion,
    and the judge's role on the panel: an observer's sheets count for nothing."""
    criteria = document["criteria"]
    roles = dict(Judge.Role.choices)
    header = [
        pgettext("spreadsheet", "Speaking order"),
        pgettext("spreadsheet", "Secretary"),
        pgettext("spreadsheet", "Village"),
        pgettext("spreadsheet", "Role"),
        *_names(document, names),
        pgettext("spreadsheet", "Total"),
        pgettext("spreadsheet", "Percent"),
        pgettext("spreadsheet", "Dropped"),
        pgettext("spreadsheet", "Comment"),
    ]
    tables: dict[str, list] = {}
    for row in document["contestants"]:
        for sheet in row["sheets"]:
            tables.setdefault(sheet["judge"], [])
    for row in sorted(document["contestants"], key=lambda r: r["order"] or 0):
        for sheet in row["sheets"]:
            tables[sheet["judge"]].append(
                [
                    row["order"],
                    row["secretary"],
                    row["village"],
                    str(roles.get(sheet.get("role"), "")),
                    *(spreadsheets.number(sheet["points"].get(c["code"])) for c in criteria),
                    spreadsheets.number(sheet["total"]),
                    spreadsheets.number(sheet["percent"]),
                    sheet["dropped"],
                    sheet.get("comment", ""),
                ]
            )
    # Sheet names must be unique: each starts with its judge's number.
    return [
        spreadsheets.Table(f"{index}-{judge}", header, rows)
        for index, (judge, rows) in enumerate(tables.items(), start=1)
    ]


def to_csv(document: dict, names: dict[str, str] | None = None) -> bytes:
    """The ranking table; UTF-8 with a BOM for Excel."""
    return spreadsheets.to_csv(ranking_table(document, names))


def to_xlsx(document: dict, names: dict[str, str] | None = None) -> bytes:
    """A ranking sheet and one sheet per judge, from the same document."""
    return spreadsheets.to_xlsx([ranking_table(document, names), *judge_tables(document, names)])
