"""The reads of the notice pages: a competition's notice with its period and versions, the
public document of a version, the publication a digest names, the objections register."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from competition.models import Competition
from notice import period
from notice.models import NoticeDefaults, Objection
from scoring.models import Publication
from scoring.results.chain import public_document
from scoring.results.document import GRADE_LABELS, reason_text, summary_of


@dataclass
class NoticeState:
    competition: Competition
    public: bool  # readable without signing in
    working_days: int
    versions: list[Publication]  # oldest first; the document deferred
    ended_at: object = None  # when staff marked the notice period ended
    changed_by: object = None  # who last changed the competition's own settings, and when
    changed_at: object = None
    corrections: dict[int, list[str]] = field(default_factory=dict)  # publication → objections

    @property
    def latest(self) -> Publication | None:
        return self.versions[-1] if self.versions else None

    @property
    def chain(self) -> list[tuple[Publication, list[str]]]:
        """Each version with the codes of the objections its correction answered."""
        return [(p, self.corrections.get(p.version, [])) for p in self.versions]

    @property
    def starts(self) -> date | None:
        return timezone.localdate(self.versions[0].at) if self.versions else None

    @property
    def ends(self) -> date | None:
        return self.starts and period.add_working_days(self.starts, self.working_days)

    def open_for_objections(self, today: date | None = None) -> bool:
        """During the notice period: from publication to its last day, until marked ended."""
        today = today or timezone.localdate()
        return bool(self.versions) and self.ended_at is None and self.starts <= today <= self.ends

    def etag_parts(self) -> tuple:
        """What of the notice, beyond the documents, its pages show."""
        return (
            self.public,
            self.working_days,
            str(self.ended_at),
            [(p.version, p.public_digest) for p in self.versions],
            sorted(self.corrections.items()),
            str(timezone.localdate()),  # whether objections are open today
        )


def notice_state(pk: int) -> NoticeState | None:
    """A published competition's notice: its settings (its own, else its district's defaults,
    else the defaults), and its versions with the objections each correction answered. Three
    queries; two when it has settings of its own; one for no such published competition."""
    competition = (
        Competition.objects.select_related("street", "district", "notice__changed_by")
        .filter(pk=pk, status=Competition.Status.PUBLISHED)
        .first()
    )
    if competition is None:
        return None
    own = getattr(competition, "notice", None)
    if own is None:
        own = (
            NoticeDefaults.objects.filter(district_id=competition.district_id).first()
            or NoticeDefaults()
        )
    versions = list(
        Publication.objects.filter(competition=competition)
        .defer("document")
        .prefetch_related(Prefetch("objections", queryset=Objection.objects.only("code")))
        .order_by("version")
    )
    return NoticeState(
        competition=competition,
        public=own.public,
        working_days=own.working_days,
        versions=versions,
        ended_at=getattr(own, "ended_at", None),
        changed_by=getattr(own, "changed_by", None),
        changed_at=getattr(own, "changed_at", None),
        corrections={p.version: [o.code for o in p.objections.all()] for p in versions},
    )


def public_of(state: NoticeState, version: int | None = None) -> dict | None:
    """The public document of a version (the latest by default), as anyone downloads it."""
    numbers = [p.version for p in state.versions]
    if not numbers or (version is not None and version not in numbers):
        return None
    index = len(numbers) - 1 if version is None else numbers.index(version)
    found = state.versions[index]
    previous = state.versions[index - 1] if index else None
    summary = found.summary or summary_of(found.document)
    return public_document(summary, found.digest, previous.public_digest if previous else None)


# The reasons a notice shows beneath a row: what set a grade the bands alone did not, a rank
# below a final shown the same, a panel score resting on fewer sheets than expected, and a final
# without the democratic rating.
NOTICE_REASONS = {
    "below_band",
    "rank_exact",
    "veto_incompetent_share",
    "veto_approval_share",
    "cap",
    "override",
    "few_sheets",
    "tally_returns",
    "tally_quorum",
    "no_ballots",
}


def ranking_rows(document: dict) -> list[dict]:
    """The notice's rows: each contestant with their grade named and, beneath it, what set it
    when the bands alone did not (a democratic veto, the cap, a grade set by hand, a score
    just below a band), so that a lower grade above a higher score is explained, and a panel
    score resting on fewer sheets than expected. A line of its own keeps the table narrow
    enough for a phone."""
    return [
        row
        | {
            "grade_label": GRADE_LABELS.get(row["grade"] or "", ""),
            "notes": [
                reason_text(reason)
                for reason in row.get("reasons", ())
                if isinstance(reason, str) or reason["code"] in NOTICE_REASONS
            ],
        }
        for row in document["contestants"]
    ]


def publication_of_digest(value: str) -> tuple[Publication, str, int] | None:
    """The publication whose results document or public document has this digest, which kind
    ("public" or "results"), and how many versions its competition has. Two queries."""
    publication = (
        Publication.objects.filter(public_digest=value)
        .select_related("competition__street", "competition__district")
        .defer("document", "summary")
        .first()
    )
    kind = "public"
    if publication is None:
        publication = (
            Publication.objects.filter(digest=value)
            .select_related("competition__street", "competition__district")
            .defer("document", "summary")
            .first()
        )
        kind = "results"
    if publication is None:
        return None
    latest = (
        Publication.objects.filter(competition_id=publication.competition_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return publication, kind, latest


def register(competition: Competition):
    """The competition's objections with their contestants and steps, in the order lodged."""
    return (
        competition.objections.select_related(
            "contestant__secretary", "contestant__village", "recorded_by", "correction"
        )
        .prefetch_related("events__by")
        .order_by("lodged_at", "pk")
    )


def objection_by_code(code: str) -> Objection | None:
    return (
        Objection.objects.select_related(
            "competition__street",
            "competition__district",
            "contestant__secretary",
            "contestant__village",
            "correction",
        )
        .filter(code=code)
        .first()
    )
