"""Every package declares what it exports, sorted, and every name exists."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["agents", "graph", "knowledge", "tools", "server", "evals", "tools.playbook", "tools.sql"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_exports_are_sorted_and_real(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"
