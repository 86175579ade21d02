"""Imports run one way: ``core`` is the bottom layer and imports nothing from ``demo``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "vrdndi_pipeline" / "core"
DEMO = "vrdndi_pipeline.demo"


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in ``path``, at any depth (inside functions and
    ``TYPE_CHECKING`` blocks too); relative imports resolved, ``from a import b`` gives
    ``a.b`` as well as ``a`` (``b`` may be a module)."""
    package = list(path.relative_to(root).parent.parts)  # the package the file is in
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _is_demo(module: str) -> bool:
    return module == DEMO or module.startswith(DEMO + ".")


def test_the_import_walker_sees_every_form(tmp_path: Path) -> None:
    package = tmp_path / "vrdndi_pipeline" / "core" / "sub"
    package.mkdir(parents=True)
    probe = package / "probe.py"
    probe.write_text(
        "import vrdndi_pipeline.demo.anchor\n"
        "def f():\n"
        "    from vrdndi_pipeline.demo.anchor import TIMEZONE\n"
        "    from vrdndi_pipeline import demo\n"
        "    from ...demo import labels\n"
        "    from .. import settings\n"
    )
    found = imported_modules(probe, root=tmp_path)
    assert {line for line, module in found if _is_demo(module)} == {1, 3, 4, 5}
    assert {m for _, m in found if _is_demo(m)} == {
        "vrdndi_pipeline.demo",
        "vrdndi_pipeline.demo.anchor",
        "vrdndi_pipeline.demo.anchor.TIMEZONE",
        "vrdndi_pipeline.demo.labels",
    }
    assert "vrdndi_pipeline.core.settings" in {m for _, m in found}  # `..` is the core package


def test_core_imports_nothing_from_demo() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 50  # the walk found the package
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if _is_demo(module)
    ]
    assert not offending, "core must not import the demo:\n" + "\n".join(offending)


MAX_DAGSTER_FUNCTION_LINES = 40
DAGSTER_DECORATORS = {
    "asset",
    "multi_asset",
    "asset_check",
    "multi_asset_check",
    "op",
    "sensor",
    "asset_sensor",
    "run_failure_sensor",
    "run_status_sensor",
    "schedule",
}


def dagster_functions(path: Path) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function in ``path`` under a Dagster decorator
    (``@dg.asset``, ``@dg.asset(...)``, ``@asset``...); lines from ``def`` to the last line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in DAGSTER_DECORATORS:
                found.append((node.name, node.end_lineno - node.lineno + 1))
                break
    return found


def test_the_length_counter_sees_decorated_functions(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "@dg.asset(group_name='x')\ndef a():\n    return 1\n\n\n"
        "@asset\ndef b():\n    x = 1\n    return x\n\n\n"
        "@dg.sensor(job=j)\nasync def c():\n    pass\n\n\n"
        "def plain():\n    return 2\n"
    )
    assert dagster_functions(probe) == [("a", 2), ("b", 3), ("c", 2)]


def test_every_asset_sensor_and_check_function_is_thin() -> None:
    """Decisions live in `core/` with their own tests; a Dagster function only wires them."""
    package = ROOT / "vrdndi_pipeline"
    files = [p for p in package.rglob("*.py") if CORE not in p.parents]
    functions = [(path, *found) for path in files for found in dagster_functions(path)]
    assert len(functions) >= 15  # the walk found the assets, checks, sensors and schedules
    too_long = [
        f"{path.relative_to(ROOT)}: {name} has {lines} lines"
        for path, name, lines in functions
        if lines > MAX_DAGSTER_FUNCTION_LINES
    ]
    assert not too_long, f"over {MAX_DAGSTER_FUNCTION_LINES} lines:\n" + "\n".join(too_long)


def _imports_matching(files: list[Path], prefix: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if module == prefix or module.startswith(prefix + ".")
    ]


def test_the_model_does_not_import_its_training() -> None:
    """`core/model` (modules, config, adapter files, inference) reads top to bottom without
    `core/training`, which builds on it."""
    files = sorted((CORE / "model").rglob("*.py"))
    assert len(files) > 10
    offending = _imports_matching(files, "vrdndi_pipeline.core.training")
    assert not offending, "\n".join(offending)


def test_only_the_generator_imports_the_generator() -> None:
    """At run time the pipeline reads the bundled files; the ~25 modules that wrote them are
    imported only by themselves (and by tests and benchmarks)."""
    package = ROOT / "vrdndi_pipeline"
    generator = package / "demo" / "generator"
    files = [p for p in package.rglob("*.py") if generator not in p.parents]
    offending = _imports_matching(files, "vrdndi_pipeline.demo.generator")
    assert not offending, "\n".join(offending)
