"""The layer rules of pyproject.toml's [tool.importlinter] contracts hold (core never imports the dashboard, ...)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-logo", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_page_first_sends_its_run_through_the_router():
    """A page's first statement after its imports and constants is routing.require_router() (components/routing.py)."""
    import ast

    pages = sorted((ROOT / "pages").glob("*.py"))
    assert pages
    for page in pages:
        body = ast.parse(page.read_text(encoding="utf-8")).body
        first = next(node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom))
                     and not (isinstance(node, (ast.Expr, ast.Assign)) and isinstance(node.value, ast.Constant)))
        assert ast.unparse(first) == "routing.require_router()", page.name
