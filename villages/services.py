"""Writes to the organisation. Keyword-only, atomic: the roster import applies the plan
villages.roster_plan makes of a file, and street staff add their colleagues' accounts."""

import datetime as dt
import secrets

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import (
    District,
    Membership,
    RosterUpload,
    Secretary,
    Street,
    Tenure,
    Village,
)
from villages.roster import RosterInvalid, parse_roster
from villages.roster_plan import Change, Op, RosterPlan, plan_roster
from villages.search import initials


def _apply(plan: RosterPlan) -> None:
    districts = {d.name: d for d in District.objects.all()}
    streets: dict[tuple[str, str], Street] = {}
    secretaries: dict[tuple[str, str], Secretary] = {}

    def street_for(key: tuple[str, str]) -> Street:
        if key not in streets:
            streets[key] = Street.objects.get(district=districts[key[0]], name=key[1])
        return streets[key]

    by_op: dict[Op, list[Change]] = {op: [] for op in Op}
    for change in plan.changes:
        by_op[change.op].append(change)

    for c in by_op[Op.CREATE_DISTRICT]:
        districts[c.data["name"]] = District.objects.create(name=c.data["name"])
    for c in by_op[Op.CREATE_STREET]:
        key = (c.data["district"], c.data["name"])
        streets[key] = Street.objects.create(
            district=districts[key[0]], name=key[1], kind=c.data["kind"]
        )
    for c in by_op[Op.UPDATE_STREET]:
        Street.objects.filter(pk=c.data["pk"]).update(kind=c.data["kind"])
    for c in by_op[Op.CREATE_VILLAGE]:
        Village.objects.create(
            code=c.data["code"],
            name=c.data["name"],
            pinyin=initials(c.data["name"]),
            street=street_for(c.data["street"]),
        )
    for c in by_op[Op.UPDATE_VILLAGE]:
        Village.objects.filter(pk=c.data["pk"]).update(
            name=c.data["name"],
            pinyin=initials(c.data["name"]),
            street=street_for(c.data["street"]),
        )
    for c in by_op[Op.CREATE_SECRETARY]:
        name, phone = c.data["key"]
        secretaries[c.data["key"]] = Secretary.objects.create(
            name=name, pinyin=initials(name), phone=phone, gender=c.data["gender"]
        )
    for c in by_op[Op.UPDATE_SECRETARY]:
        Secretary.objects.filter(pk=c.data["pk"]).update(
            gender=c.data["gender"], phone=c.data["phone"]
        )
    for c in by_op[Op.CORRECT_TENURE]:
        Tenure.objects.filter(pk=c.data["pk"]).update(start=c.data["start"])
    # Close before opening: a village and a secretary have at most one open tenure at any moment.
    for c in by_op[Op.CLOSE_TENURE]:
        Tenure.objects.filter(pk=c.data["pk"], end__isnull=True).update(end=c.data["end"])
    opening = by_op[Op.OPEN_TENURE]
    villages = {
        v.code: v for v in Village.objects.filter(code__in=[c.data["code"] for c in opening])
    }
    missing = {c.data["key"] for c in opening} - secretaries.keys()
    if missing:
        for s in Secretary.objects.filter(name__in={name for name, _phone in missing}):
            secretaries.setdefault((s.name, s.phone), s)
    Tenure.objects.bulk_create(
        Tenure(
            village=villages[c.data["code"]],
            secretary=secretaries[c.data["key"]],
            start=c.data["start"],
        )
        for c in opening
    )


def import_roster(*, data: bytes, filename: str, expected: str | None = None) -> RosterPlan:
    """Import a roster file, all of it or nothing.

    The plan is made again inside the transaction, so that it matches the database it is applied
    to; with `expected` (a previewed plan's fingerprint), a plan that differs is refused.
    Raises RosterInvalid with every reason; the database is then unchanged.
    """
    rows = parse_roster(data, filename)
    try:
        with transaction.atomic():
            plan = plan_roster(rows)
            if expected is not None and plan.fingerprint != expected:
                raise RosterInvalid.about_file(
                    _("The roster changed after the preview was made. Review the new preview.")
                )
            _apply(plan)
    except IntegrityError as exc:
        raise RosterInvalid.about_file(
            _("Someone else changed the roster at the same time. Nothing was imported; try again.")
        ) from exc
    return plan


def preview_roster(*, data: bytes, filename: str) -> RosterPlan:
    return plan_roster(parse_roster(data, filename))


PREVIEW_KEPT = dt.timedelta(hours=1)


@transaction.atomic
def keep_preview(*, data: bytes, filename: str, plan: RosterPlan, by: User) -> str:
    """Keep a previewed file until it is confirmed; returns the token that names it.

    Previews older than PREVIEW_KEPT, anybody's, go: one left unconfirmed is simply dropped."""
    RosterUpload.objects.filter(created_at__lt=timezone.now() - PREVIEW_KEPT).delete()
    token = secrets.token_urlsafe(32)
    RosterUpload.objects.create(
        token=token, uploaded_by=by, filename=filename, data=data, fingerprint=plan.fingerprint
    )
    return token


@transaction.atomic
def import_preview(*, token: str, by: User) -> RosterPlan:
    """Import the file previewed under `token` by the same person, as import_roster does with
    the preview's fingerprint expected; the preview is used up once the file is imported."""
    # Lock the preview: a double click on "apply" must import it once.
    upload = (
        RosterUpload.objects.select_for_update()
        .filter(token=token, uploaded_by=by, created_at__gte=timezone.now() - PREVIEW_KEPT)
        .first()
    )
    if upload is None:
        raise RosterInvalid.about_file(
            _("The preview has expired or was altered. Upload the file again.")
        )
    plan = import_roster(
        data=bytes(upload.data), filename=upload.filename, expected=upload.fingerprint
    )
    upload.delete()
    return plan


# ---- Street staff add a colleague ----

# Letters and digits nobody misreads when a password is read out or copied from the screen.
READABLE_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountRefused(Exception):
    """Why an account cannot be made; the message is for the person who asked."""


def new_password() -> str:
    """Twelve random letters and digits in groups of four, about 59 bits: read once, then
    changed by its holder."""
    chars = "".join(secrets.choice(READABLE_CHARS) for _n in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def add_street_staff(
    *, street: Street, username: str, display_name: str, by: User
) -> tuple[User, str]:
    """A new street staff account for `street`, with a generated password returned once.

    The password is shown once to the colleague who made the account and never stored in
    clear; its holder changes it after signing in. The addition is logged in the admin's log
    (LogEntry) as made by `by`, in the same transaction.
    """
    username, display_name = username.strip(), display_name.strip()
    try:
        with transaction.atomic():
            # Lock the street: two colleagues may add the same person at once.
            locked = Street.objects.select_for_update().get(pk=street.pk)
            if User.objects.filter(username__iexact=username).exists():
                raise AccountRefused(
                    _("The username “%(name)s” is taken. Choose another.") % {"name": username}
                )
            password = new_password()
            user = User.objects.create_user(
                username=username, password=password, first_name=display_name
            )
            Membership.objects.create(
                user=user,
                role=Membership.Role.STREET_STAFF,
                district_id=locked.district_id,
                street=locked,
            )
            LogEntry.objects.log_actions(
                user_id=by.pk,
                queryset=[user],
                action_flag=ADDITION,
                change_message=_("Added as street staff of %(street)s by a colleague.")
                % {"street": locked.name},
                single_object=True,
            )
    except IntegrityError as exc:
        raise AccountRefused(
            _("The username “%(name)s” is taken. Choose another.") % {"name": username}
        ) from exc
    return user, password


def save_with_initials(place: Village | Secretary) -> None:
    """Save a village or a secretary with the pinyin initials of its name, for the search."""
    place.pinyin = initials(place.name)
    place.save()
