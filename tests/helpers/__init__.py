"""Shared test helpers, imported as `tests.helpers.<module>` (tests/ is a package: no sys.path edits)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
PRESETS = ROOT / "presets"
