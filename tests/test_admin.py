"""Every admin page renders for a superuser, with the organisation's data in it."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from competition.models import Competition, Judge
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring
from tests.factories import MembershipFactory, StreetFactory, TenureFactory, UserFactory
from tests.villages import rosterfiles
from tests.villages.rosterfiles import row, write
from tests.villages.test_roster_import import snapshot
from villages.forms import MAX_UPLOAD
from villages.models import RosterUpload, Tenure, Village

pytestmark = pytest.mark.django_db

MODELS = [
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in ("villages", "scoring", "auth", "competition")
    # Publications exist only by publishing: admin shows them, never adds them.
    and model._meta.model_name != "publication"
]


@pytest.fixture
def populated(street_staff_carol):
    tenure = TenureFactory(village__street=street_staff_carol.membership.street)
    MembershipFactory(role="judge", street=tenure.village.street)
    Group.objects.create(name="评委")
    competition = competition_in_scoring(street=tenure.village.street, staff=street_staff_carol)
    save_sheet(
        judge=competition.judges.get(),
        contestant=competition.contestants.first(),
        points={"political": "10"},
        problems=["道路破损"],
        version=1,
        submit=False,
        by=competition.judges.get().user,
    )
    return tenure


def test_every_app_model_is_in_admin():
    assert set(MODELS) >= {
        ("villages", "district"),
        ("villages", "street"),
        ("villages", "village"),
        ("villages", "secretary"),
        ("villages", "tenure"),
        ("scoring", "scheme"),
        ("scoring", "criterion"),
        ("auth", "user"),
    }


@pytest.mark.parametrize(("app", "model"), MODELS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_changelist_add_and_change_pages_render(
    client, admin_alice, populated, app, model, language
):
    client.force_login(admin_alice)
    client.cookies["django_language"] = language
    model_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    obj = model_class.objects.order_by("pk").first()
    assert obj is not None, f"no {model} to change"

    pages = [
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
    ]
    # Competitions are made on the staff pages only (test_site_permissions), problems are
    # raised on judges' sheets.
    if model not in ("competition", "problem"):
        pages.insert(1, reverse(f"admin:{app}_{model}_add"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()
    changelist = client.get(pages[0]).content.decode()
    assert str(obj).split(" ")[0] in changelist


def test_admin_village_list_shows_the_current_secretary(client, admin_alice, populated):
    client.force_login(admin_alice)
    response = client.get(reverse("admin:villages_village_changelist"))
    assert populated.secretary.name in response.content.decode()


def test_admin_village_search_finds_by_secretary_name(client, admin_alice, populated):
    TenureFactory()  # another village, not to be found
    client.force_login(admin_alice)
    response = client.get(
        reverse("admin:villages_village_changelist"), {"q": populated.secretary.name}
    )
    assert list(response.context["cl"].result_list) == [populated.village]


def test_admin_roster_import_previews_then_applies(client, admin_alice, tmp_path):
    client.force_login(admin_alice)
    url = reverse("admin:villages_village_import")
    path = write(
        tmp_path / "roster.xlsx",
        [row(), row(village_code="2", village="东村", secretary="王勇", phone="13800000002")],
    )
    with path.open("rb") as upload:
        preview = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    assert not Village.objects.exists()  # a preview changes nothing
    plan = preview.context["plan"]
    assert plan.counts()["create_village"] == 2
    assert plan.counts()["open_tenure"] == 2
    assert "new village 370703003001 “杜家庄子村”" in preview.content.decode()

    payload = preview.context["confirm_form"]["payload"].value()
    applied = client.post(url, {"payload": payload})

    assert applied.url == reverse("admin:villages_village_changelist")
    assert sorted(Village.objects.values_list("code", flat=True)) == ["2", "370703003001"]
    assert Tenure.objects.filter(end__isnull=True).count() == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_admin_roster_import_confirms_a_preview_of_a_file_near_the_limit(
    client, admin_alice, tmp_path, fmt
):
    # A 4.4 MB workbook sent back in the confirming form was larger than the server accepts.
    client.force_login(admin_alice)
    url = reverse("admin:villages_village_import")
    path = rosterfiles.large(tmp_path / f"roster.{fmt}", size=int(4.4 * 1024 * 1024))
    assert 4_500_000 < path.stat().st_size <= MAX_UPLOAD
    with path.open("rb") as upload:
        preview = client.post(url, {"file": upload})
    villages = preview.context["plan"].counts()["create_village"]
    assert villages > 3000
    payload = preview.context["confirm_form"]["payload"].value()
    assert len(payload) < 100  # the file stays on the server; the form only names it

    applied = client.post(url, {"payload": payload}, HTTP_ACCEPT_LANGUAGE="en")

    assert applied.url == reverse("admin:villages_village_changelist")
    assert Village.objects.count() == villages
    assert Tenure.objects.filter(end__isnull=True).count() == villages
    assert not RosterUpload.objects.exists()  # used up
    again = client.post(url, {"payload": payload}, HTTP_ACCEPT_LANGUAGE="en")
    assert "expired or was altered" in again.content.decode()


def test_admin_roster_import_applies_only_ones_own_fresh_preview(
    client, admin_alice, tmp_path, settings
):
    client.force_login(admin_alice)
    url = reverse("admin:villages_village_import")
    with write(tmp_path / "a.csv", [row()]).open("rb") as upload:
        payload = client.post(url, {"file": upload}).context["confirm_form"]["payload"].value()

    other = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(other)
    refused = client.post(url, {"payload": payload}, HTTP_ACCEPT_LANGUAGE="en")
    assert "expired or was altered" in refused.content.decode()

    client.force_login(admin_alice)
    RosterUpload.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    expired = client.post(url, {"payload": payload}, HTTP_ACCEPT_LANGUAGE="en")
    assert "expired or was altered" in expired.content.decode()
    assert not Village.objects.exists()


def test_admin_roster_import_of_a_file_over_the_limit_says_so(client, admin_alice, tmp_path):
    client.force_login(admin_alice)
    path = rosterfiles.large(tmp_path / "roster.csv", size=MAX_UPLOAD + 200_000)
    path.write_bytes(path.read_bytes() + b"x" * (MAX_UPLOAD + 1 - path.stat().st_size))
    with path.open("rb") as upload:
        response = client.post(
            reverse("admin:villages_village_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "The file is larger than 5 MB." in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_a_form_too_large_for_the_server_is_a_page_in_the_readers_language(client, admin_alice):
    client.force_login(admin_alice)
    too_big = {"payload": "x" * (5 * 1024 * 1024 + 1)}
    chinese = client.post(reverse("admin:villages_village_import"), too_big)
    english = client.post(
        reverse("admin:villages_village_import"), too_big, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (chinese.status_code, english.status_code) == (400, 400)
    assert "您发送的内容过大" in chinese.content.decode()
    assert "What you sent is too large" in english.content.decode()
    many = {f"field{n}": "1" for n in range(1100)}
    assert "What you sent is too large" in (
        client.post(
            reverse("competition:problems_bulk"), many, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )


def test_admin_roster_import_refuses_a_stale_preview(client, admin_alice, tmp_path):
    client.force_login(admin_alice)
    url = reverse("admin:villages_village_import")
    with write(tmp_path / "a.csv", [row()]).open("rb") as upload:
        payload = client.post(url, {"file": upload}).context["confirm_form"]["payload"].value()
    # Someone imports another village of the same street after the preview was made, so the
    # district and street the preview would create exist now.
    call_command(
        "import_roster",
        write(tmp_path / "b.csv", [row(village_code="2", secretary="王勇", phone="13800000002")]),
    )
    before = snapshot()

    response = client.post(url, {"payload": payload}, HTTP_ACCEPT_LANGUAGE="en")

    assert "changed after the preview" in response.content.decode()
    assert snapshot() == before


def test_admin_roster_import_refuses_a_tampered_payload(client, admin_alice):
    client.force_login(admin_alice)
    response = client.post(
        reverse("admin:villages_village_import"), {"payload": "forged"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "expired or was altered" in response.content.decode()
    assert not Village.objects.exists()


def test_admin_roster_import_lists_bad_rows_and_changes_nothing(client, admin_alice, tmp_path):
    client.force_login(admin_alice)
    path = write(tmp_path / "bad.csv", [row(), row(village_code="2", since="2024-13-01")])
    with path.open("rb") as upload:
        response = client.post(
            reverse("admin:villages_village_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
        )
    page = response.content.decode()
    assert "Row 3, column since" in page
    assert "Nothing has changed" in page
    assert "confirm_form" not in response.context
    assert not Village.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_roster_export_downloads_the_roster(client, admin_alice, populated, fmt):
    client.force_login(admin_alice)
    response = client.get(reverse("admin:villages_village_export", args=[fmt]))
    today = timezone.localdate()
    assert unquote(response["Content-Disposition"]) == (
        f"attachment; filename*=utf-8''名册 {today:%Y-%m-%d}.{fmt}"
    )
    body = b"".join(response)
    if fmt == "csv":
        assert populated.village.code in body.decode("utf-8-sig")
    else:
        assert body.startswith(b"PK")


def test_admin_roster_import_is_refused_to_staff_without_permissions(client, street_staff_carol):
    street_staff_carol.is_staff = True
    street_staff_carol.save()
    client.force_login(street_staff_carol)
    response = client.get(reverse("admin:villages_village_import"))
    assert response.url == reverse("admin:villages_village_changelist")


def _user_form(user, **membership) -> dict:
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        **{f"membership-0-{k}": v for k, v in membership.items()},
    }


def test_admin_gives_a_user_a_role(client, admin_alice, street):
    user = UserFactory(username="erin")
    client.force_login(admin_alice)
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        _user_form(user, role="street_staff", district=street.district_id, street=street.pk),
    )
    assert response.status_code == 302, response.context["errors"]
    user.refresh_from_db()
    assert (user.membership.role, user.membership.street) == ("street_staff", street)


def test_admin_refuses_a_street_of_another_district(client, admin_alice, street):
    user = UserFactory(username="erin")
    foreign = StreetFactory()
    client.force_login(admin_alice)
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        _user_form(user, role="street_staff", district=street.district_id, street=foreign.pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The street must belong to the chosen district." in response.content.decode()
    assert not hasattr(user.__class__.objects.get(pk=user.pk), "membership")


def test_admin_adds_judges_only_to_a_draft_competition(client, admin_alice, street_staff_carol):
    scoring = competition_in_scoring(street=street_staff_carol.membership.street, staff=admin_alice)
    draft = Competition.objects.create(
        district=scoring.district, street=scoring.street, year=scoring.year + 1, quarter=1
    )
    newcomer = UserFactory(username="nina")
    client.force_login(admin_alice)
    add = reverse("admin:competition_judge_add")
    form = {"user": newcomer.pk, "role": "observer"}

    refused = client.post(add, form | {"competition": scoring.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert "add judges on its panel page, where the change is logged" in refused.content.decode()
    assert not Judge.objects.filter(user=newcomer).exists()

    client.post(add, form | {"competition": draft.pk})
    assert list(Judge.objects.filter(user=newcomer).values_list("competition", flat=True)) == [
        draft.pk
    ]


def test_admin_shows_a_competition_past_draft_and_changes_nothing(
    client, admin_alice, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=admin_alice
    )
    before = (competition.held_on, competition.venue)
    client.force_login(admin_alice)
    url = reverse("admin:competition_competition_change", args=[competition.pk])
    shown = client.get(url)
    assert shown.context["original"] == competition and not shown.context["has_change_permission"]
    refused = client.post(url, {"venue": "别处", "held_on": "2030-01-01"})
    assert refused.status_code == 403
    competition.refresh_from_db()
    assert (competition.held_on, competition.venue) == before
