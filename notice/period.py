"""The notice period (公示期): pure rules on dates."""

from datetime import date, timedelta

DEFAULT_WORKING_DAYS = 5
MOST_WORKING_DAYS = 30


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`, which itself does not
    count: published on a Wednesday, five working days end on the next Wednesday. Public
    holidays are not known here; staff lengthen the period for them."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
