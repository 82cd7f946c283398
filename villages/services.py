"""Writes to the organisation. Keyword-only, atomic; the roster import and street staff's
accounts live here."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

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
from villages.roster import RosterInvalid, RosterRow, RowError, parse_roster
from villages.search import initials

ONE_DAY = dt.timedelta(days=1)


class Op(StrEnum):
    CREATE_DISTRICT = "create_district"
    CREATE_STREET = "create_street"
    UPDATE_STREET = "update_street"
    CREATE_VILLAGE = "create_village"
    UPDATE_VILLAGE = "update_village"
    CREATE_SECRETARY = "create_secretary"
    UPDATE_SECRETARY = "update_secretary"
    CORRECT_TENURE = "correct_tenure"
    CLOSE_TENURE = "close_tenure"
    OPEN_TENURE = "open_tenure"


@dataclass(frozen=True)
class Change:
    """One write the import will make; `text` says it to the person previewing."""

    op: Op
    line: int
    text: str
    data: dict = field(hash=False, compare=False)


@dataclass
class RosterPlan:
    rows: list[RosterRow]
    changes: list[Change]

    @property
    def is_noop(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        counts = {op.value: 0 for op in Op}
        for change in self.changes:
            counts[change.op.value] += 1
        return counts

    @property
    def fingerprint(self) -> str:
        """Identifies the changes: a preview applies only if nothing changed since it was made."""
        text = "\n".join(f"{c.op}|{c.line}|{sorted(c.data.items())}" for c in self.changes)
        return hashlib.sha256(text.encode()).hexdigest()


class _Planner:
    """Compares a file's rows with the database, row by row; loads what it needs up front."""

    def __init__(self, rows: list[RosterRow]):
        names = {r.district for r in rows}
        codes = {r.village_code for r in rows}
        self.districts = {d.name for d in District.objects.filter(name__in=names)}
        self.streets = {
            (s.district.name, s.name): s
            for s in Street.objects.select_related("district").filter(district__name__in=names)
        }
        self.villages = {
            v.code: v
            for v in Village.objects.select_related("street__district").filter(code__in=codes)
        }
        self.open_tenures = {
            t.village.code: t
            for t in Tenure.objects.select_related("secretary", "village").filter(
                end__isnull=True, village__code__in=codes
            )
        }
        self.last_ended: dict[str, dt.date] = {}
        for code, end in Tenure.objects.filter(
            end__isnull=False, village__code__in=codes
        ).values_list("village__code", "end"):
            self.last_ended[code] = max(self.last_ended.get(code, end), end)
        self.secretaries: dict[tuple[str, str], Secretary] = {}
        for s in Secretary.objects.filter(name__in={r.secretary for r in rows}).order_by("id"):
            self.secretaries.setdefault((s.name, s.phone), s)
        # Where the file's known secretaries lead now: they may be moving to another village.
        self.leading = {
            t.secretary_id: t
            for t in Tenure.objects.select_related("village").filter(
                end__isnull=True, secretary__in=self.secretaries.values()
            )
        }
        self.codes_in_file = codes
        self.changes: list[Change] = []
        self.errors: list[RowError] = []
        self._streets_seen: set[tuple[str, str]] = set()

    def add(self, op: Op, row: RosterRow, text: str, **data) -> None:
        self.changes.append(Change(op=op, line=row.line, text=text, data=data))

    def reject(self, row: RosterRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.line, column, message))

    def place(self, row: RosterRow) -> None:
        """The district, street and village of a row."""
        key = (row.district, row.street)
        if row.district not in self.districts:
            self.districts.add(row.district)
            self.add(
                Op.CREATE_DISTRICT, row, _("new district “%s”") % row.district, name=row.district
            )
        if key not in self._streets_seen:
            self._streets_seen.add(key)
            street = self.streets.get(key)
            if street is None:
                self.add(
                    Op.CREATE_STREET,
                    row,
                    _("new street “%s”") % row.street,
                    district=row.district,
                    name=row.street,
                    kind=row.street_kind,
                )
            elif street.kind != row.street_kind:
                self.add(
                    Op.UPDATE_STREET,
                    row,
                    _("street “%(name)s” becomes %(kind)s")
                    % {"name": row.street, "kind": row.street_kind},
                    pk=street.pk,
                    kind=row.street_kind,
                )
        village = self.villages.get(row.village_code)
        if village is None:
            self.add(
                Op.CREATE_VILLAGE,
                row,
                _("new village %(code)s “%(name)s”")
                % {"code": row.village_code, "name": row.village},
                code=row.village_code,
                name=row.village,
                street=key,
            )
        elif (village.name, village.street.district.name, village.street.name) != (
            row.village,
            *key,
        ):
            self.add(
                Op.UPDATE_VILLAGE,
                row,
                _("village %(code)s becomes “%(name)s” in “%(street)s”")
                % {"code": row.village_code, "name": row.village, "street": row.street},
                pk=village.pk,
                name=row.village,
                street=key,
            )

    def leader(self, row: RosterRow) -> None:
        """The secretary of a row's village, and the tenures that open and close."""
        current = self.open_tenures.get(row.village_code)
        if current is not None and current.secretary.name == row.secretary:
            self._same_leader(row, current)
            return
        ended = self.last_ended.get(row.village_code)
        if current is None and ended is not None and row.since <= ended:
            self.reject(
                row,
                "since",
                _("the previous secretary of %(code)s served until %(end)s")
                % {"code": row.village_code, "end": ended.isoformat()},
            )
            return
        if current is not None:
            if row.since <= current.start:
                self.reject(
                    row,
                    "since",
                    _("must be after %(start)s, when the current secretary “%(name)s” took office")
                    % {"start": current.start.isoformat(), "name": current.secretary.name},
                )
                return
            self._close(row, current)
        secretary = self.secretaries.get(row.secretary_key)
        if secretary is None:
            self.add(
                Op.CREATE_SECRETARY,
                row,
                _("new secretary “%s”") % row.secretary,
                key=row.secretary_key,
                gender=row.gender,
            )
        else:
            if secretary.gender != row.gender:
                self._update_secretary(row, secretary)
            elsewhere = self.leading.get(secretary.pk)
            # A village in the file closes its own tenure; one not in it is left by the move.
            if elsewhere is not None and elsewhere.village.code not in self.codes_in_file:
                if row.since <= elsewhere.start:
                    self.reject(
                        row,
                        "since",
                        _("must be after %(start)s, when “%(name)s” took office in %(code)s")
                        % {
                            "start": elsewhere.start.isoformat(),
                            "name": row.secretary,
                            "code": elsewhere.village.code,
                        },
                    )
                    return
                self._close(row, elsewhere)
        self.add(
            Op.OPEN_TENURE,
            row,
            _("“%(name)s” leads %(code)s from %(since)s")
            % {"name": row.secretary, "code": row.village_code, "since": row.since.isoformat()},
            code=row.village_code,
            key=row.secretary_key,
            start=row.since,
        )

    def _same_leader(self, row: RosterRow, current: Tenure) -> None:
        if (current.secretary.gender, current.secretary.phone) != (row.gender, row.phone):
            self._update_secretary(row, current.secretary)
        if current.start == row.since:
            return
        ended = self.last_ended.get(row.village_code)
        if ended is not None and row.since <= ended:
            self.reject(
                row,
                "since",
                _("the previous secretary of %(code)s served until %(end)s")
                % {"code": row.village_code, "end": ended.isoformat()},
            )
            return
        self.add(
            Op.CORRECT_TENURE,
            row,
            _("“%(name)s” leads %(code)s from %(since)s, not %(old)s")
            % {
                "name": row.secretary,
                "code": row.village_code,
                "since": row.since.isoformat(),
                "old": current.start.isoformat(),
            },
            pk=current.pk,
            start=row.since,
        )

    def _update_secretary(self, row: RosterRow, secretary: Secretary) -> None:
        gender, phone = secretary.gender != row.gender, secretary.phone != row.phone
        if gender and phone:
            note = _("secretary “%s”: gender and phone updated")
        elif gender:
            note = _("secretary “%s”: gender updated")
        else:
            note = _("secretary “%s”: phone updated")
        self.add(
            Op.UPDATE_SECRETARY,
            row,
            note % row.secretary,
            pk=secretary.pk,
            gender=row.gender,
            phone=row.phone,
        )

    def _close(self, row: RosterRow, tenure: Tenure) -> None:
        end = row.since - ONE_DAY
        self.add(
            Op.CLOSE_TENURE,
            row,
            _("“%(name)s” leaves %(code)s on %(end)s")
            % {"name": tenure.secretary.name, "code": tenure.village.code, "end": end.isoformat()},
            pk=tenure.pk,
            end=end,
        )


def plan_roster(rows: list[RosterRow]) -> RosterPlan:
    """Compare the file's rows with the database: the changes to make, or RosterInvalid.

    Reads in a fixed number of queries whatever the file's size, and writes nothing.
    """
    planner = _Planner(rows)
    for row in rows:
        planner.place(row)
        planner.leader(row)
    if planner.errors:
        raise RosterInvalid(sorted(planner.errors, key=lambda e: (e.line or 0, e.column)))
    return RosterPlan(rows=rows, changes=planner.changes)


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
