"""The roster import's plan: what a file's rows would change in the organisation, row by row,
said for the person previewing it. Reads only; villages.services applies a plan."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from villages.models import (
    District,
    Secretary,
    Street,
    Tenure,
    Village,
)
from villages.roster import RosterInvalid, RosterRow, RowError

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
