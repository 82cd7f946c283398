from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from competition.models import Competition
from scoring.results import exports
from scoring.results.comments import with_comments
from scoring.results.document import document_for, to_json
from scoring.results.queries import criterion_labels


class Command(BaseCommand):
    help = "Write a competition's results document as JSON, CSV or Excel."

    def add_arguments(self, parser):
        parser.add_argument("competition_id", type=int)
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", type=Path, help="A file; standard output by default.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the CSV and Excel headers and words (the JSON keeps its keys).",
        )

    def handle(
        self,
        *args,
        competition_id: int,
        format: str,
        output: Path | None,
        language: str,
        **options,
    ):
        competition = (
            Competition.objects.select_related("street", "district")
            .filter(pk=competition_id)
            .first()
        )
        if competition is None:
            raise CommandError(_("No competition %(id)s.") % {"id": competition_id})
        document = document_for(competition)
        with translation.override(language):
            labels = criterion_labels([competition.pk]).get(competition.pk, {})
            if format == "json":
                data = to_json(document).encode()
            elif format == "csv":
                data = exports.to_csv(with_comments(competition, document), labels)
            else:
                data = exports.to_xlsx(with_comments(competition, document), labels)
        if output is None:
            if format == "xlsx":
                raise CommandError(_("Excel output needs --output FILE."))
            self.stdout.write(data.decode("utf-8-sig"), ending="")
            return
        output.write_bytes(data)
        self.stderr.write(_("Written to %(file)s.") % {"file": output})
