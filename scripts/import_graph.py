"""Draw Crosscheck's import graph between its packages, from the code, as a Mermaid diagram.

grimp (the engine under import-linter) reads every import of `core` and
`components`; modules are grouped into the packages docs/architecture.md
describes, and an arrow A --> B means some module of A imports one of B.
Imports under ``if TYPE_CHECKING:`` are left out: they never run.

    python scripts/import_graph.py            # the Mermaid block for docs/architecture.md
    python scripts/import_graph.py --check docs/architecture.md   # exit 1 if the doc's graph is stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import grimp

BEGIN, END = "<!-- import-graph:begin -->", "<!-- import-graph:end -->"


def group(module: str) -> str:
    """The box a module is drawn in: a package (core.storage) or a top-level module of core (core.verdict)."""
    parts = module.split(".")
    if parts[0] == "components":
        return "components"
    if len(parts) >= 3 and parts[1] == "ml" and parts[2] == "training":
        return "core.ml.training"
    return ".".join(parts[:2])


def edges() -> set[tuple[str, str]]:
    graph = grimp.build_graph("core", "components", exclude_type_checking_imports=True)
    found = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = group(importer), group(imported)
            if a != b and b.split(".")[0] in ("core", "components"):
                found.add((a, b))
    return found


def mermaid() -> str:
    def node(name: str) -> str:
        return name.replace(".", "_")

    lines = ["```mermaid", "flowchart LR"]
    lines += [f"  {node(a)}[{a}] --> {node(b)}[{b}]" for a, b in sorted(edges())]
    lines.append("```")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, help="a Markdown file whose graph between the markers must be current")
    args = parser.parse_args()
    drawn = mermaid()
    if args.check is None:
        print(drawn)
        return 0
    text = args.check.read_text(encoding="utf-8")
    current = text.split(BEGIN, 1)[1].split(END, 1)[0].strip() if BEGIN in text else ""
    if current != drawn:
        print(f"{args.check}: the import graph is stale; regenerate it with scripts/import_graph.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
