"""What a log line says, kept as codes and figures and put into words when it is read.

A competition's log (`Event`) and a day's stage log (`stage.Step`) are read by staff in either
language, so their lines are not stored as sentences in the language of whoever acted. Each
line's `detail` is a list of parts, ``{"code": …, figures…}``; the page puts each part into the
reader's language from its catalogue. What people typed (a reason) and what the roster brought
(names, a question's text) stays in `note`, as it was written. Lines logged before parts
existed hold a sentence in `note` only.

A figure is a number, a name, ``{"zh": …, "en": …}`` (a name kept in both languages, such as a
scheme's), or a list of those (joined as the reader's language lists things).
"""

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from villages.language import in_reader_language

Texts = Mapping[str, object]


def part(code: str, **figures) -> dict:
    """One part of a log line: its code and its figures, as stored."""
    return {"code": code} | figures


def _figure(value):
    if isinstance(value, dict) and "zh" in value:
        return in_reader_language(value["zh"], value.get("en"))
    if isinstance(value, list):
        return pgettext("list separator", ", ").join(str(_figure(v)) for v in value) or "—"
    return value


def render(parts: list, texts: Texts) -> list[str]:
    """Each part in the reader's language; a code the catalogue no longer has is shown as is."""
    lines = []
    for entry in parts:
        figures = {key: _figure(value) for key, value in entry.items() if key != "code"}
        text = texts.get(entry["code"])
        if text is None:
            lines.append(entry["code"])
        elif callable(text):
            lines.append(text(entry))
        else:
            lines.append(str(text) % figures)
    return lines


def line(parts: list, note: str, texts: Texts) -> str:
    """A log line as a page shows it: its parts, then what was typed."""
    return " · ".join([*render(parts, texts), *([note] if note else [])])


# What was missing when scoring closed, by the counts `scoring.results.queries` reports.
GAPS: dict[str, Callable[[int], str]] = {
    "missing": lambda n: ngettext("%(n)s sheet not in", "%(n)s sheets not in", n),
    "drafts": lambda n: ngettext("%(n)s draft not submitted", "%(n)s drafts not submitted", n),
    "below_minimum": lambda n: ngettext(
        "%(n)s contestant below the trimmed mean's minimum",
        "%(n)s contestants below the trimmed mean's minimum",
        n,
    ),
    "tally_unconfirmed": lambda n: ngettext(
        "%(n)s paper tally not confirmed", "%(n)s paper tallies not confirmed", n
    ),
    "tally_void": lambda n: ngettext(
        "%(n)s paper tally that does not count", "%(n)s paper tallies that do not count", n
    ),
    "tokens_unused": lambda n: ngettext("%(n)s ballot code unused", "%(n)s ballot codes unused", n),
}


def gaps_text(totals: Mapping[str, int]) -> str:
    """What was missing at the close, in one line of the reader's language."""
    return _("; ").join(
        phrase(totals[name]) % {"n": totals[name]}
        for name, phrase in GAPS.items()
        if totals.get(name)
    )


# The competition's log (`competition.models.Event`).
EVENT_TEXTS: dict[str, object] = {
    "scheme": gettext_lazy("criteria scheme: %(scheme)s"),
    "recommended": gettext_lazy("%(n)s recommended"),
    "criteria": gettext_lazy("criteria: %(codes)s"),
    "cards_issued": lambda e: ngettext("%(n)s card issued", "%(n)s cards issued", e["n"]) % e,
    "contestants_added": gettext_lazy("%(n)s added"),
    "contestant_removed": gettext_lazy("removed: %(who)s"),
    "absent": gettext_lazy("absent: %(who)s"),
    "present": gettext_lazy("present again: %(who)s"),
    "point_added": gettext_lazy("added: %(point)s"),
    "point_removed": gettext_lazy("removed: %(point)s"),
    "visiting_order": gettext_lazy("visiting order set"),
    "judge_added": gettext_lazy("added: %(name)s"),
    "judge_removed": gettext_lazy("removed: %(name)s"),
    "recusals": gettext_lazy("recusals of %(name)s: %(who)s"),
    "ballots_issued": lambda e: (
        ngettext("%(n)s ballot token issued", "%(n)s ballot tokens issued", e["n"]) % e
    ),
    "ballots_revoked": gettext_lazy("%(n)s unused ballot tokens of %(who)s revoked"),
    "democratic_on": gettext_lazy("democratic evaluation on"),
    "democratic_off": gettext_lazy("democratic evaluation off"),
    "tally_first": gettext_lazy("paper tally of %(who)s entered, waiting for a second entry"),
    "tally_restarted": gettext_lazy(
        "paper tally of %(who)s entered again: the confirmed tally no longer counts"
    ),
    "tally_confirmed": gettext_lazy("paper tally of %(who)s confirmed by a second, equal entry"),
    "tally_differs": gettext_lazy("paper tally of %(who)s: the entries differ"),
    "gaps": gaps_text,
}
