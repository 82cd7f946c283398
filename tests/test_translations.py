"""Simplified Chinese is complete, its placeholders match, and the committed catalog is current."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
# Libraries' strings their own catalogues lack, kept by hand (settings.LOCALE_PATHS).
LIBRARIES = Path(settings.BASE_DIR) / "locale_libraries" / "zh_Hans" / "LC_MESSAGES"
CATALOGS = [CATALOG / "django", LIBRARIES / "django", LIBRARIES / "djangojs"]

needs_msgfmt = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="msgfmt is missing: apt-get install gettext"
)


@needs_msgfmt
@pytest.mark.parametrize(
    "catalog", CATALOGS, ids=lambda c: f"{c.parent.parent.parent.name}/{c.name}"
)
def test_chinese_catalog_is_complete_and_its_placeholders_match(tmp_path, catalog):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - msgfmt from the system's gettext
            "msgfmt",
            "--check",
            "--statistics",
            "-o",
            str(tmp_path / "django.mo"),
            str(catalog.with_suffix(".po")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@needs_msgfmt
@pytest.mark.parametrize(
    "catalog", CATALOGS, ids=lambda c: f"{c.parent.parent.parent.name}/{c.name}"
)
def test_committed_compiled_catalog_matches_the_source(tmp_path, catalog):
    subprocess.run(  # noqa: S603 - fixed arguments
        ["msgfmt", "-o", str(tmp_path / "c.mo"), str(catalog.with_suffix(".po"))],  # noqa: S607
        check=True,
    )
    kept_mo = catalog.with_suffix(".mo")
    with (tmp_path / "c.mo").open("rb") as fresh, kept_mo.open("rb") as kept:
        assert gettext.GNUTranslations(kept)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"{kept_mo} is out of date: run make messages"
        )


def _msgids(po: Path) -> set[str]:
    """The msgids of a catalog, joined across continuation lines (enough for comparison)."""
    ids, current, reading = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif reading and line.startswith('"'):
            current.append(line)
        else:
            if reading:
                ids.add("".join(part.strip('"') for part in current))
            reading = False
    return ids - {""}


@needs_msgfmt
def test_every_translatable_string_is_in_the_catalog(tmp_path):
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "node_modules", "*.sqlite3*"),
    )
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--ignore", "tests/*"],
        cwd=copy,
        env=os.environ | {"DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    fresh = _msgids(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    kept = _msgids(CATALOG / "django.po")
    assert fresh - kept == set(), "strings missing from the catalog: run make messages"
