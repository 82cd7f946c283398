"""Setting a competition up: its criteria and policy, opening the scoring, a district's own
competition."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from competition import services as competition_services
from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    half_label,
    half_quarters,
)
from competition.notes import part
from competition.services import ActionRefused
from scoring.models import (
    CompetitionCriterion,
    Criterion,
    GradingPolicy,
    Scheme,
)
from scoring.reports import rankings
from villages.models import Street


def _copy(criterion: Criterion, competition: Competition) -> CompetitionCriterion:
    return CompetitionCriterion(
        competition=competition,
        source=criterion,
        code=criterion.code,
        name=criterion.name,
        name_en=criterion.name_en,
        guidance=criterion.guidance,
        guidance_en=criterion.guidance_en,
        max_points=criterion.max_points,
        required=criterion.required,
        position=criterion.position,
    )


def _choose(competition: Competition, scheme: Scheme, optional_codes: list[str]) -> None:
    criteria = list(scheme.criteria.all())
    known = {c.code for c in criteria if not c.required}
    unknown = set(optional_codes) - known
    if unknown:
        raise ActionRefused(
            _("Not an optional item of this scheme: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    chosen = [c for c in criteria if c.required or c.code in optional_codes]
    competition.criteria.all().delete()
    CompetitionCriterion.objects.bulk_create(_copy(c, competition) for c in chosen)


@transaction.atomic
def create_competition(
    *,
    street: Street,
    year: int,
    quarter: int,
    scheme: Scheme,
    optional_codes: list[str],
    by: User,
    held_on=None,
    venue: str = "",
) -> Competition:
    """A street's ring competition for a quarter, in draft, with the scheme's criteria copied:
    the five required items and the chosen optional ones."""
    if Competition.objects.filter(
        level=Competition.Level.STREET, street=street, year=year, quarter=quarter
    ).exists():
        raise ActionRefused(
            _("%(street)s already has a competition for %(year)s Q%(quarter)s.")
            % {"street": street.name, "year": year, "quarter": quarter}
        )
    competition = Competition.objects.create(
        level=Competition.Level.STREET,
        district_id=street.district_id,
        street=street,
        year=year,
        quarter=quarter,
        held_on=held_on,
        venue=venue,
    )
    _choose(competition, scheme, optional_codes)
    district_policy(street.district).copy_for(competition).save()
    competition_services.log(competition, Event.Kind.CREATED, by, scheme_part(scheme))
    return competition


def scheme_part(scheme: Scheme) -> dict:
    """The log's "criteria scheme: …", named in both languages."""
    return part("scheme", scheme={"zh": scheme.name, "en": scheme.name_en})


def district_policy(district) -> GradingPolicy:
    """The district's default grading policy, created with DESIGN.md's defaults if missing."""
    policy, _created = GradingPolicy.objects.get_or_create(district=district)
    return policy


@transaction.atomic
def choose_criteria(
    *, competition: Competition, scheme: Scheme, optional_codes: list[str], by: User
) -> None:
    """Change the N optional items; only in draft — from scoring on the criteria are frozen."""
    locked = competition_services.lock(competition)
    if locked.status != Competition.Status.DRAFT:
        raise ActionRefused(_("The criteria are frozen once scoring has started."))
    _choose(locked, scheme, optional_codes)
    # The log names the items as the page does, not by their codes.
    names = [{"zh": c.name, "en": c.name_en} for c in locked.criteria.filter(required=False)]
    competition_services.log(locked, Event.Kind.CRITERIA, by, part("criteria", codes=names))


def open_scoring(*, competition: Competition, by: User) -> None:
    """Draft → scoring, once criteria, an ordered list of contestants and a panel are set."""
    with transaction.atomic():
        locked = competition_services.lock(competition)
        problems = []
        if not locked.criteria.exists():
            problems.append(_("choose the criteria"))
        present = locked.contestants.filter(absent=False)
        if not present.exists():
            problems.append(_("add contestants"))
        elif present.filter(order__isnull=True).exists():
            problems.append(_("set the speaking order"))
        if not locked.judges.exclude(role=Judge.Role.OBSERVER).exists():
            problems.append(_("add judges"))
        if problems:
            raise ActionRefused(_("Before scoring: %(todo)s.") % {"todo": "; ".join(problems)})
        competition_services.transition(competition=competition, action="open", by=by)


@transaction.atomic
def create_district_competition(
    *, district, year: int, quarter: int, scheme: Scheme, optional_codes: list[str], by: User
) -> Competition:
    """The district-level competition of a period, with the contestants the period's published
    street competitions recommend (excellent, top K by rank per street), each linked to their
    street result."""
    if Competition.objects.filter(
        level=Competition.Level.DISTRICT, district=district, year=year, quarter=quarter
    ).exists():
        raise ActionRefused(_("The district-level competition of this period exists already."))
    picks = rankings.recommended(district_id=district.pk, year=year, quarter=quarter)
    if not picks:
        raise ActionRefused(_("No published street competition of this period recommends anyone."))
    competition = Competition.objects.create(
        level=Competition.Level.DISTRICT, district=district, year=year, quarter=quarter
    )
    _choose(competition, scheme, optional_codes)
    district_policy(district).copy_for(competition).save()
    sources = {
        (c.competition_id, c.village.code): c
        for c in Contestant.objects.select_related("village").filter(
            competition_id__in={competition_id for competition_id, _row in picks}
        )
    }
    Contestant.objects.bulk_create(
        Contestant(
            competition=competition,
            secretary_id=source.secretary_id,
            village_id=source.village_id,
            recommended_from=source,
        )
        for source in (sources[(cid, row["village_code"])] for cid, row in picks)
    )
    competition_services.log(competition, Event.Kind.CREATED, by, part("recommended", n=len(picks)))
    return competition


@transaction.atomic
def create_review(
    *, district, year: int, half: int, scheme: Scheme, optional_codes: list[str], by: User
) -> Competition:
    """The half-year review (半年观摩点评) of a half: the district's competition of that kind,
    held in the half's last quarter, in draft, scored on the scheme's criteria under the
    district's policy by a district panel. Its contestants come with the observation points
    the district staff choose. One per half."""
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise ActionRefused(_("Choose a year and a half."))
    quarter = half_quarters(half)[1]
    if Competition.objects.filter(
        level=Competition.Level.REVIEW, district=district, year=year, quarter=quarter
    ).exists():
        raise ActionRefused(
            _("The half-year review of %(half)s exists already.") % {"half": half_label(half, year)}
        )
    competition = Competition.objects.create(
        level=Competition.Level.REVIEW, district=district, year=year, quarter=quarter
    )
    _choose(competition, scheme, optional_codes)
    district_policy(district).copy_for(competition).save()
    competition_services.log(competition, Event.Kind.CREATED, by, scheme_part(scheme))
    return competition
