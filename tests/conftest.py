"""Shared fixtures: fast limits and real peers."""

from __future__ import annotations

import shutil

import pytest

from mcprisk import Limits
from support import FAST


@pytest.fixture
def fast() -> Limits:
    return FAST


@pytest.fixture(scope="session")
def npx() -> str:
    """Path to npx, or skip (with the reason) where Node is absent."""
    path = shutil.which("npx")
    if path is None:
        pytest.skip("npx (Node.js) is not installed: the server-everything peer cannot run here")
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Notebook cells validated by nbval start a Jupyter kernel and run the workbook: mark them slow, so
    ``pytest -m "not slow"`` leaves them out while a plain ``pytest`` still runs them."""
    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.slow)
