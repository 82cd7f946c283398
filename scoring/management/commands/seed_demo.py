from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.demo import seed_competition, seed_history
from scoring.models import Scheme
from villages import demo
from villages.models import District, Membership, Street
from villages.roster import roster_csv
from villages.services import import_roster

JUDGES = ("王建华", "李红梅", "张志强", "刘海燕", "陈国栋", "杨立新", "赵文静")


class Command(BaseCommand):
    help = (
        "Create the demo district (9 streets, 403 villages and secretaries), demo users and "
        "this quarter's competition of 寒亭街道, in scoring."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="leitai-demo",
            help="Password for every demo account (default: leitai-demo).",
        )

    @transaction.atomic
    def handle(self, *args, password: str, **options):
        # The demo scores with the first scheme there is; the migrations make the default one.
        if not Scheme.objects.exists():
            raise CommandError(
                _("There is no scoring scheme. Add one in the administration, then run this again.")
            )
        first, changes = demo.rosters()
        if not District.objects.filter(name=demo.DISTRICT).exists():
            import_roster(data=roster_csv(first), filename="demo.csv")
        # Idempotent: a second run finds every change already made.
        import_roster(data=roster_csv(changes), filename="demo-2024.csv")

        district = District.objects.get(name=demo.DISTRICT)
        streets = list(Street.objects.filter(district=district).order_by("pk"))
        accounts = [("admin", _("administrator"), None, None, "管理员")]
        accounts.append(
            ("district", _("district staff"), Membership.Role.DISTRICT_STAFF, None, "区委组织部")
        )
        for i, street in enumerate(streets, start=1):
            # Two staff per street: a paper tally counts once a second person types it too.
            for suffix, display in (("", street.name), ("b", f"{street.name}（二）")):
                accounts.append(
                    (
                        f"street{i:02d}{suffix}",
                        _("street staff"),
                        Membership.Role.STREET_STAFF,
                        street,
                        display,
                    )
                )
        for i, name in enumerate(JUDGES, start=1):
            accounts.append((f"judge{i:02d}", _("judge"), Membership.Role.JUDGE, streets[0], name))

        # One hash for every account: hashing is slow on purpose, and these are demo accounts.
        hashed = make_password(password)
        # An account that has the password already keeps its hash: a new one would sign its
        # sessions out (their auth hash derives from it). The accounts share one hash, so this
        # checks the password once, not once per account.
        matches: dict[str, bool] = {}
        rows = []
        for username, label, role, street, display in accounts:
            user, _created = User.objects.get_or_create(username=username)
            wanted = {"first_name": display, "is_staff": role is None, "is_superuser": role is None}
            if user.password not in matches:
                matches[user.password] = check_password(password, user.password)
            if not matches[user.password]:
                wanted["password"] = hashed
            changed = [name for name, value in wanted.items() if getattr(user, name) != value]
            if changed:
                for name in changed:
                    setattr(user, name, wanted[name])
                user.save(update_fields=changed)
            if role is not None:
                Membership.objects.update_or_create(
                    user=user, defaults={"role": role, "district": district, "street": street}
                )
            rows.append((username, label, street.name if street else district.name))

        competition = seed_competition(
            street=streets[0],
            judges=[User.objects.get(username=f"judge{i:02d}") for i in range(1, 8)],
            staff=User.objects.get(username="street01"),
        )
        last_year = timezone.localdate().year - 1
        seed_history(
            district=district,
            year=last_year,
            staff=User.objects.get(username="district"),
            confirmer=User.objects.get(username="admin"),
        )
        self.stdout.write(_("Demo district “%(name)s” is ready.") % {"name": district.name})
        self.stdout.write(
            _(
                "%(year)s: four quarters of published results for every street, and the "
                "district-level competition of Q4."
            )
            % {"year": last_year}
        )
        competition.refresh_from_db(fields=["status"])  # as it stands: a rerun keeps its state
        self.stdout.write(
            _("This quarter's competition (%(status)s): %(title)s, %(url)s")
            % {
                "status": competition.get_status_display(),
                "title": competition.title,
                "url": competition.get_absolute_url(),
            }
        )
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": password})
        for username, label, where in rows:
            self.stdout.write(f"  {username:<10} {label} · {where}")
