"""Paper ballots: quorum, returns and what makes a tally count."""

from collections.abc import Iterable

from scoring.domain.quarter import CHOICES, Grade


def has_quorum(*, present: int, due: int) -> bool:
    """A representatives' meeting has its quorum when more than two thirds of the
    representatives due were present (exactly two thirds is not enough)."""
    return present * 3 > due * 2


def returns_valid(*, returned: int, issued: int) -> bool:
    """More ballots returned than handed out voids the vote; as many or fewer is valid."""
    return returned <= issued


def tally_counts(*, present: int, due: int, returned: int, issued: int, confirmed: bool) -> bool:
    """A paper tally counts only when its meeting had the quorum, its returns are valid and a
    second person confirmed its counts by typing them blind."""
    return (
        has_quorum(present=present, due=due)
        and returns_valid(returned=returned, issued=issued)
        and confirmed
    )


def tally_problems(
    values: dict[str, object], *, fields: Iterable[str], maximum: int
) -> dict[str, tuple[str, dict[str, int]]]:
    """What is wrong with a paper tally's counts, by field: (problem code, its figures); empty
    when the tally can be stored.

    Every field must be a whole number from 0 to `maximum` ("range"); only when all are, the
    counts must agree: no more present than due ("present_over_due"), no more choices than
    ballots returned ("choices_over_returned", on the excellent field), no more ballots
    handed out than representatives present ("issued_over_present")."""
    problems: dict[str, tuple[str, dict[str, int]]] = {}
    for name in fields:
        value = values.get(name)
        if not isinstance(value, int) or not 0 <= value <= maximum:
            problems[name] = ("range", {"max": maximum})
    if problems:
        return problems
    if values["representatives_present"] > values["representatives_due"]:
        problems["representatives_present"] = ("present_over_due", {})
    counted = sum(values[c] for c in CHOICES)
    if counted > values["ballots_returned"]:
        problems[Grade.EXCELLENT.value] = (
            "choices_over_returned",
            {"n": counted, "returned": values["ballots_returned"]},
        )
    if values["ballots_issued"] > values["representatives_present"]:
        problems["ballots_issued"] = ("issued_over_present", {})
    return problems
