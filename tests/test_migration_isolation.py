"""Migrations import nothing from the application: a revision must do tomorrow what it did when it was written,
so it freezes what it needs (table definitions, document upgrades) instead of importing live code."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[1] / "core" / "storage" / "migrations"
ALLOWED = {"__future__", "alembic", "sqlalchemy", "numpy", "copy", "hashlib", "json", "re", "pathlib", "typing", "urllib", "uuid"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(MIGRATIONS.rglob("*.py")), ids=lambda p: p.name)
def test_a_migration_imports_only_alembic_sqlalchemy_and_the_standard_library(path):
    assert _imported_roots(path) <= ALLOWED, f"{path.name} imports {sorted(_imported_roots(path) - ALLOWED)}"


def test_the_check_sees_an_application_import(tmp_path):
    module = tmp_path / "0099_example.py"
    module.write_text("import json\nfrom core.records import SCHEMA\nfrom . import helpers\n")
    assert _imported_roots(module) - ALLOWED == {"core", "."}
