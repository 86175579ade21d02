"""Where things are, for tests in any folder under tests/."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = TESTS_DIR.parent
TEST_DATA = TESTS_DIR / "data"
