"""Where code may reach: the benchmarks are not part of the test suite."""

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
