"""What ships (`pipelines/`, `dashboard/`) never imports the tests or the development
tools (benchmark, profiler summary, process monitor, screenshots, demo-data generator)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("pipelines", "dashboard")
NOT_SHIPPED = ("tests", "tools")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_the_product_imports_neither_tests_nor_tools():
    offenders = []
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            bad = {m for m in imported_modules(path) if m.split(".")[0] in NOT_SHIPPED}
            if bad:
                offenders.append(f"{path.relative_to(REPO)}: {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_the_development_tools_live_outside_the_product():
    for tool in ("bench.py", "pyspy.py", "procmon.py", "screenshots.py", "demo"):
        assert (REPO / "tools" / tool).exists(), tool
        for package in PRODUCT:
            assert not (REPO / package / tool).exists(), f"{package}/{tool} ships with the product"


def test_the_package_ships_no_tools(tmp_path):
    """setuptools finds only the product's packages."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert all(p.split("*")[0].rstrip(".") in PRODUCT for p in include), include
