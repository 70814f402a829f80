"""The layer rules of pyproject.toml's [tool.importlinter] contracts hold (core never imports the dashboard, ...)."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-logo", "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_page_first_sends_its_run_through_the_router():
    """A page's first statement after its imports and constants is routing.require_router() (components/routing.py)."""
    pages = sorted((ROOT / "pages").glob("*.py"))
    assert pages
    for page in pages:
        body = ast.parse(page.read_text(encoding="utf-8")).body
        first = next(node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom))
                     and not (isinstance(node, (ast.Expr, ast.Assign)) and isinstance(node.value, ast.Constant)))
        assert ast.unparse(first) == "routing.require_router()", page.name


# --- the import graph drawn in docs/architecture.md, cycles, module sizes ---------------------------
MAX_LINES = 450
SIZED = ("core", "components", "pages", "tests", "testkit", "bench", "scripts", "app.py")
# Alembic revisions are frozen history: they hold their own copies of what they need (test_migration_isolation.py).
UNSIZED = ROOT / "core" / "storage" / "migrations"


def _import_graph_script():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_import_graph_in_docs_architecture_is_drawn_from_todays_code():
    """Regenerate it with `python scripts/import_graph.py` between the markers when this fails."""
    assert _import_graph_script().check(ROOT / "docs" / "architecture.md") == []


def test_the_drawing_leaves_out_only_arrows_a_longer_path_draws():
    reduce = _import_graph_script().transitive_reduction
    assert reduce({("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")}) == {("a", "b"), ("b", "c"), ("c", "d")}
    assert reduce({("a", "b"), ("a", "c")}) == {("a", "b"), ("a", "c")}


def test_a_foundation_module_importing_above_itself_is_reported():
    script = _import_graph_script()
    assert script.foundation_imports_above_itself([("core.records", "core.storage"), ("core.identity", "core.records"),
                                                    ("core.storage", "core.records")]) == [("core.records", "core.storage")]


def test_no_module_is_over_450_lines():
    paths = [p for name in SIZED for p in ([ROOT / name] if name.endswith(".py") else sorted((ROOT / name).rglob("*.py")))
             if UNSIZED not in p.parents]
    assert len(paths) > 100
    over = {str(p.relative_to(ROOT)): n for p in paths if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert over == {}, f"split these modules (at most {MAX_LINES} lines each): {over}"


def find_cycle(imports: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts (a -> b -> a), or None when there is none."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once every path from it is explored
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(imports.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(imports):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_the_circle_issue_26_found():
    imports = {"core.jobs.queue": {"core.jobs.runner"}, "core.jobs.runner": {"core.jobs.crossrefs", "core.errors"},
               "core.jobs.crossrefs": {"core.jobs.queue"}, "core.errors": set()}
    assert find_cycle(imports) == ["core.jobs.crossrefs", "core.jobs.queue", "core.jobs.runner", "core.jobs.crossrefs"]
    del imports["core.jobs.crossrefs"]
    assert find_cycle(imports) is None


@pytest.fixture(scope="module")
def core_imports() -> dict[str, set[str]]:
    """Every import between core's modules, those under `if TYPE_CHECKING:` and inside functions included."""
    graph = grimp.build_graph("core", exclude_type_checking_imports=False)
    return {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}


def test_core_has_no_import_cycle_between_modules_even_counting_type_only_imports(core_imports):
    assert len(core_imports) > 100
    assert find_cycle(core_imports) is None


def test_core_has_no_import_cycle_between_sibling_packages_even_counting_type_only_imports(core_imports):
    """Within each package, its children (a module, or a subpackage with everything under it) import in one direction."""
    packages = {module.rsplit(".", 1)[0] for module in core_imports if "." in module}
    assert {"core", "core.jobs", "core.storage", "core.ml"} <= packages
    for package in sorted(packages):
        between: dict[str, set[str]] = {}
        for importer, imported in core_imports.items():
            if (a := _child(package, importer)) is not None:
                between.setdefault(a, set()).update(b for m in imported if (b := _child(package, m)) not in (None, a))
        assert find_cycle(between) is None, package


def _child(package: str, module: str) -> str | None:
    """The child of `package` that `module` is or lies in (core.jobs.queue for core.jobs.queue.x), None outside it."""
    if not module.startswith(package + "."):
        return None
    return package + "." + module[len(package) + 1:].split(".")[0]
