"""The models of scoring, one module per feature, imported here as Django expects of a models
package (so `from scoring.models import X` keeps working)."""

from scoring.models.ballots import (
    TALLY_FIELDS,
    Ballot,
    BallotToken,
    DifferingTally,
    PaperTally,
    TallyCounts,
)
from scoring.models.results import GradeOverride, GradingPolicy, Publication
from scoring.models.sheets import (
    CompetitionCriterion,
    Criterion,
    CriterionFields,
    Scheme,
    Score,
    ScoreSheet,
    SheetRevision,
)

__all__ = [
    "TALLY_FIELDS",
    "Ballot",
    "BallotToken",
    "CompetitionCriterion",
    "Criterion",
    "CriterionFields",
    "DifferingTally",
    "GradeOverride",
    "GradingPolicy",
    "PaperTally",
    "Publication",
    "Scheme",
    "Score",
    "ScoreSheet",
    "SheetRevision",
    "TallyCounts",
]
