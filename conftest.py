"""Collection rules for the whole repository (tests/conftest.py holds the tests' own fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out the doctests of a module that ``make compiled`` compiled.

    Python imports such a module from its extension, not from its ``.py`` file, and pytest
    refuses to collect a file whose module came from elsewhere. Its doctests run in the pure
    build; tests/quantity/test_compiled_build.py checks the compiled one against it.
    """
    folder = collection_path.parent
    if collection_path.suffix == ".py" and any(folder.glob(f"{collection_path.stem}.*.so")):
        return True
    return None
