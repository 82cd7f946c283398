from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.roster import RosterInvalid
from villages.services import import_roster


class Command(BaseCommand):
    help = "Import districts, streets, villages and secretaries from a .csv or .xlsx roster."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        try:
            plan = import_roster(data=data, filename=file.name)
        except RosterInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s problem(s) found; nothing was imported.") % {"count": len(exc.errors)}
            ) from exc
        if plan.is_noop:
            self.stdout.write(
                _("%(rows)s rows read; nothing to change.") % {"rows": len(plan.rows)}
            )
            return
        for change in plan.changes:
            self.stdout.write(f"{change.line}: {change.text}")
        self.stdout.write(
            _("%(rows)s rows read; %(changes)s changes made.")
            % {"rows": len(plan.rows), "changes": len(plan.changes)}
        )
