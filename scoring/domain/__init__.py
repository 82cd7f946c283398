"""The rules that turn points into numbers. Plain values in, plain values out: no ORM, no request.

Points are Decimals as judges give them. Everything computed from them — sheet percents, panel,
democratic and final scores, annual finals — is an exact `Fraction`: 370/480 of the points is
77.0833… exactly, not 77.08. Rounding happens in one place, `round2`, half up to two places, and
only when a figure is stored or shown; grades, vetoes and ranks read the exact values.

The rules live in four modules, all re-exported here (`from scoring import domain`):
`points` (parsing and rounding), `quarter` (panel, democratic and final scores, grades, ranks,
the cap, the table's order, advancement), `year` (annual finals, grades and marks) and
`tallies` (paper ballots).
"""

from scoring.domain.points import *  # noqa: F403
from scoring.domain.quarter import *  # noqa: F403
from scoring.domain.tallies import *  # noqa: F403
from scoring.domain.year import *  # noqa: F403
