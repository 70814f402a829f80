"""Draw Crosscheck's import graph between its packages, from the code, as a Mermaid diagram.

grimp (the engine under import-linter) reads every import of `core`,
`components` and `pages`; modules are grouped into the boxes
docs/architecture.md describes (a package such as core.storage, or a top-level
module of core such as core.verdict), and an arrow A --> B means A depends on B.
Imports under ``if TYPE_CHECKING:`` are left out: they never run.

Two things keep the drawing readable (about 40 arrows instead of 180):
- the foundation modules (FOUNDATION), which any module may import and which
  import nothing but each other, are named in a sentence instead of drawn;
- an arrow A --> C is left out where a longer path A --> B --> C already says
  that A depends on C (a transitive reduction; the graph between boxes has no cycle).
``--all`` prints every direct arrow instead.

    python scripts/import_graph.py            # the Mermaid block for docs/architecture.md
    python scripts/import_graph.py --all      # every direct arrow, the foundation included
    python scripts/import_graph.py --check docs/architecture.md   # exit 1 if the doc's graph is stale
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

BEGIN, END = "<!-- import-graph:begin -->", "<!-- import-graph:end -->"
PACKAGES = ("core", "components", "pages")

# Small modules of core that hold one rule or one kind of record each; everything may import them.
FOUNDATION = tuple(f"core.{name}" for name in (
    "engine_usage", "errors", "genre", "identity", "job_status", "policy", "presentation",
    "records", "registry", "settings", "techniques_catalogue", "text",
))


def group(module: str) -> str:
    """The box a module is drawn in: a package (core.storage) or a top-level module of core (core.verdict)."""
    parts = module.split(".")
    if parts[0] in ("components", "pages"):
        return parts[0]
    if len(parts) >= 3 and parts[1] == "ml" and parts[2] == "training":
        return "core.ml.training"
    return ".".join(parts[:2])


def boxes_and_edges() -> tuple[set[str], set[tuple[str, str]]]:
    """Every box, and every pair (A, B) where some module of box A imports one of box B."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    boxes = {group(module) for module in graph.modules if module not in PACKAGES}
    found = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = group(importer), group(imported)
            if a != b and b in boxes:
                found.add((a, b))
    return boxes, found


def foundation_imports_above_itself(edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Arrows from a foundation module to one outside the foundation: each breaks the drawing's promise."""
    return sorted((a, b) for a, b in edges if a in FOUNDATION and b not in FOUNDATION)


def transitive_reduction(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The arrows that no longer path replaces (the graph must have no cycle)."""
    after: dict[str, set[str]] = {}
    for a, b in edges:
        after.setdefault(a, set()).add(b)

    def reachable_without(start: str, skipped: str) -> set[str]:
        seen: set[str] = set()
        todo = [b for b in after.get(start, ()) if b != skipped]
        while todo:
            box = todo.pop()
            if box not in seen:
                seen.add(box)
                todo.extend(after.get(box, ()))
        return seen

    return {(a, b) for a, b in edges if b not in reachable_without(a, b)}


def mermaid(every_arrow: bool = False) -> str:
    boxes, edges = boxes_and_edges()
    if not every_arrow:
        boxes -= set(FOUNDATION)
        edges = transitive_reduction({(a, b) for a, b in edges if b not in FOUNDATION and a not in FOUNDATION})

    def node(name: str) -> str:
        return name.replace(".", "_")

    lines = ["```mermaid", "flowchart TB"]
    lines += [f"  {node(box)}[{box}]" for box in sorted(boxes)]
    lines += [f"  {node(a)} --> {node(b)}" for a, b in sorted(edges)]
    lines.append("```")
    return "\n".join(lines)


def check(document: Path) -> list[str]:
    """What is wrong with the graph drawn in `document`; empty when it is current."""
    problems = [f"foundation module {a} imports {b}: move the import or take {a} out of FOUNDATION"
                for a, b in foundation_imports_above_itself(boxes_and_edges()[1])]
    text = document.read_text(encoding="utf-8")
    current = text.split(BEGIN, 1)[1].split(END, 1)[0].strip() if BEGIN in text else ""
    if current != mermaid():
        problems.append(f"{document}: the import graph is stale; regenerate it with scripts/import_graph.py")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, help="a Markdown file whose graph between the markers must be current")
    parser.add_argument("--all", action="store_true", help="every direct arrow, the foundation modules included")
    args = parser.parse_args()
    if args.check is None:
        print(mermaid(every_arrow=args.all))
        return 0
    problems = check(args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
