"""The code's shape, checked: one commit per unit of work, services free of
Flask, and no import cycles.

Services flush and never commit: the request (app.web.transaction) or the CLI
command (app.unit_of_work.unit_of_work) commits once. Routes and forms sit on
top of the web layer (app.web), which sits on top of the services; nothing
below imports from above.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

# The one module allowed to commit: it ends units of work for everyone else.
COMMITTER = "app.unit_of_work"
# Flask-facing modules: the factory, the CLI, the request's session, the web
# layer, rate limits, background jobs, and each feature's routes, forms, command
# line and jobs.
WEB_MODULES = {"app", "app.cli", "app.main", "app.db", "app.redaction.cli", "app.jobs",
               "app.intake.multipart",  # parses the HTTP body as it streams
               # A browser-sealed upload: checked part by part as the body streams,
               # the coded answers with the intake form's own (Flask-WTF) validators.
               "app.intake.presealed", "app.intake.presealed_manifest"}
WEB_PACKAGES = ("app.web", "app.security")
WEB_SUFFIXES = (".routes", "_routes", ".forms", ".cli", ".jobs")
FLASK_IMPORTS = ("flask", "flask_login", "flask_wtf", "flask_limiter", "werkzeug")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(path): ast.parse(path.read_text(), str(path))
            for path in sorted(APP.rglob("*.py"))}


MODULES = _modules()


def _is_web(module: str) -> bool:
    return (module in WEB_MODULES or module.startswith(WEB_PACKAGES)
            or module.endswith(WEB_SUFFIXES))


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:  # `from app.audit import service`
                if f"{node.module}.{alias.name}" in MODULES:
                    yield f"{node.module}.{alias.name}"


def _app_imports(module: str) -> set[str]:
    return {name for name in _imports(MODULES[module])
            if name in MODULES and name != module and not module.startswith(name + ".")}


def test_nothing_but_the_unit_of_work_commits() -> None:
    offenders = sorted(
        f"{module}:{node.lineno}"
        for module, tree in MODULES.items() if module != COMMITTER
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"})
    assert offenders == [], "services flush; app.unit_of_work commits or rolls back"


def test_the_checker_sees_a_commit_where_there_is_one() -> None:
    tree = ast.parse("def f(session):\n    session.commit()\n")
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]
    assert len(calls) == 1


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not _is_web(m)))
def test_services_import_neither_flask_nor_the_web_layer(module: str) -> None:
    upward = sorted(name for name in _imports(MODULES[module])
                    if name.split(".")[0] in FLASK_IMPORTS
                    or (name in MODULES and _is_web(name)))
    assert upward == [], f"{module} reaches up into the web side"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert _cycles({module: _app_imports(module) for module in MODULES}) == []


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_service_packages_form_no_cycle() -> None:
    """Below the web layer, packages stack: audit under keys under auth under
    members, and so on; none reaches back up."""
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        if _is_web(module):
            continue
        graph.setdefault(_package(module), set()).update(
            _package(name) for name in _app_imports(module)
            if not _is_web(name) and _package(name) != _package(module))
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
