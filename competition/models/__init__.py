"""The models of the event, one module per part, imported here as Django expects of a models
package (so `from competition.models import X` keeps working): `event` (competitions,
contestants, observation points, the log), `panel` (judges, sign-in cards), `problems`, and
`periods` (quarters and halves as people say them).
"""

from competition.models.event import (
    Competition,
    Contestant,
    Event,
    ObservationPoint,
    competition_title,
)
from competition.models.panel import (
    Judge,
    JudgeQuerySet,
    SignInCard,
    person_name,
)
from competition.models.periods import (
    half_bounds,
    half_label,
    half_of,
    half_quarters,
    quarter_label,
)
from competition.models.problems import (
    Problem,
    problem_key,
    problem_text,
)

__all__ = [
    "Competition",
    "Contestant",
    "Event",
    "Judge",
    "JudgeQuerySet",
    "ObservationPoint",
    "Problem",
    "SignInCard",
    "competition_title",
    "half_bounds",
    "half_label",
    "half_of",
    "half_quarters",
    "person_name",
    "problem_key",
    "problem_text",
    "quarter_label",
]
