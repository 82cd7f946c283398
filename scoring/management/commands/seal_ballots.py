from django.core.management.base import BaseCommand
from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from competition.models import Competition
from scoring.ballots import services
from scoring.models import Ballot, BallotToken


class Command(BaseCommand):
    help = (
        "Seal the ballots of every competition whose voting has ended, as closing does: once "
        "after upgrading to a version that seals, and whenever docs/deploy.md says so."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Then VACUUM FULL the two tables (PostgreSQL): new files, no old bytes left in "
            "them. Casting waits for it, a moment: run it between meetings.",
        )

    def handle(self, *args, full: bool, **options):
        ended = Competition.objects.exclude(status__in=services.BALLOT_OPEN).order_by("pk")
        # One transaction: every ballot sealed shares one xmin, whichever competition it is in.
        with transaction.atomic():
            count = sum(services.seal_ballots(competition=c) for c in ended)
        self.stdout.write(_("%(n)s ballots sealed.") % {"n": count})
        connection = connections[router.db_for_write(Ballot)]
        if full and connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table) for model in (Ballot, BallotToken)
            )
            # A maintenance statement the ORM does not express; outside any transaction.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM FULL {tables}")
            self.stdout.write(_("Ballot tables rewritten."))
