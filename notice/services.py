"""The writes of the notice: its settings, the end of its period, and the objections register.
Each is atomic, on the locked competition, and leaves its record."""

import re
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competition import services as competition_services
from competition.models import Competition, Contestant
from competition.services import ActionRefused
from notice import queries
from notice.models import TEXT_MOST, Notice, Objection, ObjectionEvent
from notice.period import MOST_WORKING_DAYS
from scoring.results.services import amend_published

# No 0/O, 1/I/L: a code read aloud on the phone or copied by hand survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PHONE = re.compile(r"\+?[0-9][0-9 \-]{5,18}[0-9]")
NAME_MOST = 50


def normalise_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if not Objection.objects.filter(code=code).exists():
            return code


def _checked_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Write the %(what)s.") % {"what": what})
    if len(text) > TEXT_MOST:
        raise ActionRefused(
            _("The %(what)s is at most %(most)s characters; this one has %(n)s.")
            % {"what": what, "most": TEXT_MOST, "n": len(text)}
        )
    return text


def _checked_person(name: str, phone: str) -> tuple[str, str]:
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name:
        raise ActionRefused(_("Give your name, so that staff can answer you."))
    if len(name) > NAME_MOST:
        raise ActionRefused(_("A name is at most %(most)s characters.") % {"most": NAME_MOST})
    if not PHONE.fullmatch(phone):
        raise ActionRefused(
            _(
                "Give a phone number of 7 to 20 digits (spaces and dashes may be between them), "
                "for example 13800000000."
            )
        )
    return name, phone


def set_notice(*, competition: Competition, public: bool, working_days: int, by: User) -> Notice:
    """Whether the competition's notice is public, and its period in working days."""
    if not 1 <= working_days <= MOST_WORKING_DAYS:
        raise ActionRefused(
            _("The notice period is from 1 to %(most)s working days.") % {"most": MOST_WORKING_DAYS}
        )
    with transaction.atomic():
        locked = competition_services.lock(competition)
        notice, _created = Notice.objects.get_or_create(competition=locked)
        if notice.ended_at is not None and notice.working_days != working_days:
            raise ActionRefused(_("The notice period has ended: its length no longer changes."))
        notice.public, notice.working_days = public, working_days
        notice.changed_by, notice.changed_at = by, timezone.now()
        notice.save(update_fields=["public", "working_days", "changed_by", "changed_at"])
        return notice


def end_notice_period(*, competition: Competition, by: User, today=None) -> Notice:
    """Mark the notice period ended: after its last day, and only once every objection is
    concluded with its finding."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = competition_services.lock(competition)
        state = queries.notice_state(locked.pk)
        if state is None:
            raise ActionRefused(_("Results are not published yet."))
        if state.ended_at is not None:
            raise ActionRefused(_("The notice period is already marked ended."))
        if today <= state.ends:
            raise ActionRefused(
                _("The notice period runs until %(ends)s.") % {"ends": f"{state.ends:%Y-%m-%d}"}
            )
        still_open = locked.objections.exclude(status=Objection.Status.CONCLUDED).count()
        if still_open:
            raise ActionRefused(
                ngettext(
                    "%(n)s objection is still open: conclude it with a finding first.",
                    "%(n)s objections are still open: conclude them with a finding first.",
                    still_open,
                )
                % {"n": still_open}
            )
        notice, _created = Notice.objects.get_or_create(
            competition=locked,
            defaults={"public": state.public, "working_days": state.working_days},
        )
        notice.ended_at, notice.ended_by = timezone.now(), by
        notice.save(update_fields=["ended_at", "ended_by"])
        return notice


def _contestant_of(competition: Competition, village_code: str) -> Contestant:
    """The contestant of the village (the public document names contestants by village)."""
    contestant = (
        competition.contestants.filter(village__code=village_code, absent=False).first()
        if village_code
        else None
    )
    if contestant is None:
        raise ActionRefused(_("Choose the secretary the objection is about."))
    return contestant


def lodge_objection(
    *, competition: Competition, village_code: str, name: str, phone: str, text: str, today=None
) -> Objection:
    """An objection lodged on the public notice, during the notice period."""
    name, phone = _checked_person(name, phone)
    text = _checked_text(text, _("objection"))
    with transaction.atomic():
        locked = competition_services.lock(competition)
        state = queries.notice_state(locked.pk)
        if state is None or not state.public or not state.open_for_objections(today):
            raise ActionRefused(_("Objections are taken only during the notice period."))
        return _create(locked, village_code, name, phone, text, Objection.Channel.ONLINE, None)


def record_objection(
    *,
    competition: Competition,
    village_code: str,
    name: str,
    phone: str,
    text: str,
    channel: str,
    by: User,
) -> Objection:
    """An objection received on paper, by phone or in person, recorded by staff: until the notice
    period is marked ended."""
    if channel not in Objection.Channel.values or channel == Objection.Channel.ONLINE:
        raise ActionRefused(_("Say how the objection was received."))
    name, phone = _checked_person(name, phone)
    text = _checked_text(text, _("objection"))
    with transaction.atomic():
        locked = competition_services.lock(competition)
        state = queries.notice_state(locked.pk)
        if state is None or state.ended_at is not None:
            raise ActionRefused(
                _("Objections are recorded from publication until the period ends.")
            )
        return _create(locked, village_code, name, phone, text, channel, by)


def _create(competition, village_code, name, phone, text, channel, by) -> Objection:
    objection = Objection.objects.create(
        competition=competition,
        contestant=_contestant_of(competition, village_code),
        code=_new_code(),
        name=name,
        phone=phone,
        text=text,
        channel=channel,
        recorded_by=by,
    )
    ObjectionEvent.objects.create(objection=objection, status=objection.status, by=by)
    return objection


def _locked_objection(objection: Objection) -> Objection:
    competition_services.lock(objection.competition)
    return Objection.objects.select_for_update().get(pk=objection.pk)


def investigate_objection(*, objection: Objection, note: str, by: User) -> Objection:
    """Received → investigating, with an optional note."""
    with transaction.atomic():
        locked = _locked_objection(objection)
        if locked.status != Objection.Status.RECEIVED:
            raise ActionRefused(_("Only a received objection is taken into investigation."))
        locked.status = Objection.Status.INVESTIGATING
        locked.save(update_fields=["status"])
        ObjectionEvent.objects.create(
            objection=locked, status=locked.status, note=(note or "").strip()[:TEXT_MOST], by=by
        )
        return locked


def conclude_objection(
    *, objection: Objection, finding: str, by: User, grade: str | None = None
) -> Objection:
    """Investigating → concluded, with a written finding. With a grade, the finding corrects
    the contestant's grade: a new version of the results is published whose reason names the
    objection (scoring.results.services.amend_published)."""
    finding = _checked_text(finding, _("finding"))
    with transaction.atomic():
        locked = _locked_objection(objection)
        if locked.status != Objection.Status.INVESTIGATING:
            raise ActionRefused(_("An objection is concluded after its investigation."))
        if grade:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("Objection %(code)s: %(finding)s") % {
                    "code": locked.code,
                    "finding": finding,
                }
            locked.correction = amend_published(
                competition=locked.competition,
                contestant=locked.contestant,
                grade=grade,
                reason=reason,
                by=by,
            )
        locked.status, locked.finding = Objection.Status.CONCLUDED, finding
        locked.save(update_fields=["status", "finding", "correction"])
        ObjectionEvent.objects.create(objection=locked, status=locked.status, note=finding, by=by)
        return locked
