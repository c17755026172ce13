"""Package structure, read from the source with ``ast`` (nothing is imported).

* No module uses a private name (leading underscore) of another package folder: what one folder
  needs from another is public API.
* No import cycles between the top-level folders of ``listeningpost/`` (ingest, speech, translate,
  analyze, store, search, web, export, jobs, scale, context, evaluation, ...) nor through the
  top-level modules (pipeline, cli, llm, ...). Imports inside functions count: a lazy import is
  still a dependency. Optional parts are reached the other way round, through registries
  (``listeningpost.plugins``), so the importing side never names them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "listeningpost"
ROOT = PACKAGE.name


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = [ROOT, *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _unit(module: str) -> str:
    """The node a module belongs to: its top-level folder (``listeningpost.store``) or, for a module
    directly in the package, the module itself (``listeningpost.pipeline``)."""
    return ".".join(module.split(".")[:2])


def _imports(module: str, path: Path):
    """(line, imported module, imported name or None, local alias) for every import in ``module``,
    at any depth (function bodies, ``if TYPE_CHECKING:`` blocks)."""
    is_pkg = path.name == "__init__.py"
    package = module.split(".") if is_pkg else module.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, alias.asname
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES:  # `from listeningpost.scale import pg` imports a module
                    yield node.lineno, submodule, None, alias.asname or alias.name
                else:
                    yield node.lineno, target, alias.name, alias.asname or alias.name


def _graph():
    """unit -> {unit: [import sites]} and the private-name uses across units."""
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    private: list[str] = []
    for module, path in MODULES.items():
        unit = _unit(module)
        foreign_modules: set[str] = set()  # local names bound to other units' modules
        for line, target, name, local in _imports(module, path):
            if target != ROOT and not target.startswith(ROOT + "."):
                continue
            site = f"{path.relative_to(PACKAGE.parent)}:{line}"
            other = _unit(target)
            if other == unit:
                continue
            edges[unit][other].add(site)
            if any(_private(p) for p in target.split(".")[1:]) or (name and _private(name)):
                private.append(f"{site} {target}{'.' + name if name else ''}")
            if name is None and local:
                foreign_modules.add(local)
        if foreign_modules:  # `from listeningpost.store import case` ... `case._split_sql(...)`
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                        and node.value.id in foreign_modules):
                    private.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.value.id}.{node.attr}")
    return edges, private


def _cycles(edges) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_the_package():
    edges, _ = _graph()
    assert f"{ROOT}.store" in edges[f"{ROOT}.jobs"]  # the runner writes to the case
    assert f"{ROOT}.store" in edges[f"{ROOT}.pipeline"]
    assert len(MODULES) > 50


def test_no_private_names_across_package_folders():
    _, private = _graph()
    assert not private, "private names used from another package folder:\n" + "\n".join(private)


def test_no_import_cycles_between_package_folders():
    edges, _ = _graph()
    cycles = _cycles(edges)
    report = []
    for component in cycles:
        members = set(component)
        report.append(" <-> ".join(u.split(".", 1)[-1] for u in component))
        for src in component:
            for dst, sites in sorted(edges[src].items()):
                if dst in members:
                    report.append(f"    {src} -> {dst}: {', '.join(sorted(sites))}")
    assert not cycles, "import cycles between package folders:\n" + "\n".join(report)


def _where_things_live() -> str:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    return readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]


def test_readme_names_every_folder_and_top_level_module():
    """README's "Where things live" must match the tree: every package folder and every top-level
    module of the package is named there."""
    table = _where_things_live()
    folders = [p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    modules = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    missing = [f"{ROOT}/{f}/" for f in folders if f"{ROOT}/{f}/" not in table]
    missing += [m for m in modules if f"`{m}`" not in table and f"{ROOT}/{m}`" not in table]
    assert not missing, "README 'Where things live' does not mention: " + ", ".join(sorted(missing))


def test_no_file_over_500_lines_and_no_function_over_80():
    long_files, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(PACKAGE.parent)
        if source.count("\n") > 500:
            long_files.append(f"{rel} ({source.count(chr(10))} lines)")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80:
                long_functions.append(f"{rel}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long_files and not long_functions, "\n".join(long_files + long_functions)


# Dialect-specific by design: the full-text backends, the connections (SQLite's settings, the PostgreSQL
# connection) and the migration runners (DDL, PRAGMA). Everywhere else SQL is a Core
# statement built from store.tables; transaction control (BEGIN IMMEDIATE, COMMIT, ...) is no query.
RAW_SQL_ALLOWED = {"search/fts5.py", "search/tsvector.py", "store/sqlite.py", "scale/pg.py", "scale/pgmigrations.py",
                   "scale/migrate.py"}
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# SQL text passed to execute/query/one outside those files (issue 15 moved the last of it to Core).
RAW_SQL_CEILING = 0
_SQL_METHODS = {"execute", "executemany", "executescript", "query", "one"}


def _is_sql_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and not node.value.lstrip().upper().startswith(_TRANSACTION_CONTROL)
    if isinstance(node, ast.BinOp):
        return _is_sql_text(node.left) or _is_sql_text(node.right)
    return isinstance(node, ast.JoinedStr)


def raw_sql_sites() -> dict[str, int]:
    sites: dict[str, int] = defaultdict(int)
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in RAW_SQL_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in _SQL_METHODS and node.args and _is_sql_text(node.args[0]):
                sites[rel] += 1
    return dict(sites)


def test_raw_sql_only_shrinks():
    sites = raw_sql_sites()
    total = sum(sites.values())
    listing = "\n".join(f"{n:4d} {rel}" for rel, n in sorted(sites.items(), key=lambda kv: -kv[1]))
    assert total <= RAW_SQL_CEILING, f"{total} raw SQL call sites (ceiling {RAW_SQL_CEILING}):\n{listing}"
