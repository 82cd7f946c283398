from tests.scoring.conftest import closed  # noqa: F401 - the closed competition, shared
