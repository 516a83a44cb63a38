"""Every page the app registers, read from dashboard/app.py itself.

The load test and `make bench` measure whatever pages the app has: a page added to
app.py's `page(...)` list is measured without touching them. app.py is parsed, not
imported, because importing it would start Streamlit's navigation.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@dataclass(frozen=True)
class AppPage:
    file: str        # script under dashboard/pages/, e.g. "overview.py"
    title: str
    url_path: str    # "" for the default page, served at "/"

    @property
    def label(self) -> str:
        return self.url_path or "/"


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def app_pages(app: Path = APP) -> list[AppPage]:
    """Pages in the order app.py declares them: each `page(file, title, icon, url_path, default=...)`
    call (the helper app.py wraps st.Page with), or a direct `st.Page(...)` call."""
    pages = []
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in ("page", "Page"):
            continue
        args = [_literal(a) for a in node.args]
        kw = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
        file = args[0] if args else kw.get("page")
        if not isinstance(file, str) or not file.endswith(".py"):
            continue  # app.py's own helper definition, or a page given as a callable
        title = kw.get("title", args[1] if len(args) > 1 else Path(file).stem)
        url_path = kw.get("url_path", args[3] if len(args) > 3 else Path(file).stem)
        pages.append(((node.lineno, node.col_offset),
                      AppPage(Path(file).name, title, "" if kw.get("default") else url_path)))
    if not pages:
        raise RuntimeError(f"no pages found in {app}: has the way it declares pages changed?")
    return [p for _, p in sorted(pages)]
