"""Where code may reach: the benchmarks are not part of the test suite, and villages knows
nothing of the other apps."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_suite_never_imports_the_benchmarks():
    reaching = {
        str(path.relative_to(TESTS)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == "benchmarks"
        )
        for path in TESTS.rglob("*.py")
    }
    assert {path: names for path, names in reaching.items() if names} == {}


def test_villages_depends_on_nothing_of_ours():
    villages = TESTS.parent / "villages"
    reaching = {
        str(path.relative_to(villages)): sorted(
            name
            for name in _imported_modules(path)
            if name.split(".")[0] in ("competition", "scoring", "config")
        )
        for path in villages.rglob("*.py")
    }
    assert {path: names for path, names in reaching.items() if names} == {}
    # Nor do its pages link to theirs.
    templates = TESTS.parent / "templates" / "villages"
    linking = [
        path.name
        for path in templates.rglob("*.html")
        if any(f"'{app}:" in path.read_text(encoding="utf-8") for app in ("competition", "scoring"))
    ]
    assert linking == []


def test_config_holds_the_settings_and_urls_and_no_app_imports_it():
    config = TESTS.parent / "config"
    assert sorted(p.name for p in config.glob("*.py")) == [
        "__init__.py",
        "settings.py",
        "urls.py",
        "wsgi.py",
    ]
    reaching = [
        str(path.relative_to(TESTS.parent))
        for app in ("villages", "competition", "scoring")
        for path in (TESTS.parent / app).rglob("*.py")
        if any(name.split(".")[0] == "config" for name in _imported_modules(path))
    ]
    assert reaching == []
