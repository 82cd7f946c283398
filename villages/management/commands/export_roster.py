from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.queries import roster_rows
from villages.roster import roster_csv, roster_xlsx


class Command(BaseCommand):
    help = "Write the current roster to a .csv or .xlsx file, in the columns import_roster reads."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        suffix = file.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError(_("The file name must end in .csv or .xlsx."))
        rows = roster_rows()
        data = roster_csv(rows) if suffix == ".csv" else roster_xlsx(rows)
        try:
            file.write_bytes(data)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        self.stdout.write(
            _("%(rows)s rows written to %(file)s.") % {"rows": len(rows), "file": file}
        )
