"""The house rules of the tree, checked from the source with ast: one package per capability,
no import cycle in ledger/, a ledger that knows no web framework, blueprints that stand alone,
short functions, thin views and tests that mirror the code."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAPABILITIES = tuple(
    sorted(p.name for p in (ROOT / "ledger").iterdir() if (p / "__init__.py").is_file())
)
MAX_FUNCTION_LINES = 70  # TigerStyle's limit
MAX_VIEW_LINES = 10  # decorators and docstring aside: load, one ledger call, return
WEB_PACKAGES = ("flask", "flask_sqlalchemy", "flask_smorest", "flask_migrate", "marshmallow", "api")
FLAT_NAME_PATTERNS = ("models_*.py", "*_errors.py", "*_demo.py", "schemas_*.py", "*_schemas.py")


def modules(package: str) -> dict[str, Path]:
    """{dotted module name: path} of every module under a top-level package."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module this one imports explicitly (at any depth of its body), resolved absolutely.

    A parent package's ``__init__`` runs before any of its modules; that implicit import is not
    counted, as import linters do not count it: only the imports written in the file.
    """
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path, node)
            # ``from package import module`` names that module; any other name, the package.
            named = {f"{base}.{a.name}" for a in node.names}
            found.update(named & set(known))
            if named - set(known):
                found.add(base)
    return found - {module}


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    stack = [(start, [start])]
    while stack:
        node, trail = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return [*trail, start]
            if nxt not in trail:
                stack.append((nxt, [*trail, nxt]))
    return None


def functions(package: str) -> Iterator[tuple[str, ast.FunctionDef]]:
    for name, path in modules(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield name, node


def _body_lines(node: ast.FunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def _is_view(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "route"
        for d in node.decorator_list
    )


def _blueprint_modules() -> set[str]:
    return {
        name
        for name, path in modules("api").items()
        if "blp = Blueprint(" in path.read_text(encoding="utf-8")
    }


def test_each_capability_is_one_folder_in_ledger_api_and_tests():
    """Every capability package of ledger/ has its folder in api/, tests/ledger/ and tests/api/."""
    for top in ("ledger", "api", "tests/ledger", "tests/api"):
        folders = {p.name for p in (ROOT / top).iterdir() if p.is_dir() and p.name != "__pycache__"}
        assert {"core", "earning", "supermarket", "timebank", "audit"} <= set(CAPABILITIES)
        assert set(CAPABILITIES) <= folders, top


def test_no_flat_capability_files_remain_at_the_top():
    """No models_*.py, *_errors.py, *_demo.py or schemas_*.py sits at the top of ledger/ or api/."""
    for top in ("ledger", "api"):
        flat = [p.name for pattern in FLAT_NAME_PATTERNS for p in (ROOT / top).glob(pattern)]
        assert flat == [], top


def test_ledger_modules_import_no_cycle():
    """No chain of explicit imports among ledger/ modules leads back to where it started."""
    known = modules("ledger")
    graph = {m: imports_of(m, p, known) & set(known) for m, p in known.items()}
    cycles = [c for m in graph if (c := _cycle_from(m, graph))]
    assert cycles == []


def test_ledger_imports_no_web_framework():
    """No ledger/ module imports flask, marshmallow or api, even inside a function."""
    known = modules("ledger")
    bad = {
        m: sorted(i for i in imports_of(m, p, known) if i.split(".")[0] in WEB_PACKAGES)
        for m, p in known.items()
    }
    assert {m: i for m, i in bad.items() if i} == {}


def test_no_blueprint_imports_another_blueprint():
    """A blueprint module imports helpers from api/'s shared modules, never from a blueprint."""
    known = modules("api")
    blueprints = _blueprint_modules()
    crossing = {
        m: sorted((imports_of(m, known[m], known) & blueprints) - {m}) for m in sorted(blueprints)
    }
    assert {m: i for m, i in crossing.items() if i} == {}


def test_no_late_imports_filling_central_lists():
    """No ``noqa: E402`` (an import placed after code) anywhere in ledger/ or api/."""
    for package in ("ledger", "api"):
        late = [n for n, p in modules(package).items() if "noqa: E402" in p.read_text("utf-8")]
        assert late == [], package


@pytest.mark.parametrize("package", ["ledger", "api"])
def test_functions_are_at_most_seventy_lines(package):
    """Every function, from its def line to its last, is at most 70 lines long."""
    long = {
        f"{module}.{node.name}": node.end_lineno - node.lineno + 1
        for module, node in functions(package)
        if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}


def test_views_are_at_most_ten_lines():
    """A view's body (decorators and docstring aside) is at most 10 lines."""
    fat = {
        f"{module}.{node.name}": _body_lines(node)
        for module, node in functions("api")
        if _is_view(node) and _body_lines(node) > MAX_VIEW_LINES
    }
    assert fat == {}


def test_every_ledger_module_has_a_test_module_of_its_name():
    """ledger/<capability>/<module>.py is tested by tests/ledger/<capability>/test_<module>.py."""
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "ledger").rglob("*.py"))
        if path.name != "__init__.py"
        and not (ROOT / "tests" / path.parent.relative_to(ROOT) / f"test_{path.name}").exists()
    ]
    assert missing == []
