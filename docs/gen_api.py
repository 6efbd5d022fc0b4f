"""MkDocs hook that generates the API reference and the notebook pages at build time (nothing is written to disk).

Registered in ``mkdocs.yml`` under ``hooks:``, so ``mkdocs build --strict`` alone builds the whole site:

* **API reference** — one page per subpackage (``neurosim.core``, ``neurosim.data``, ...) and per top-level module
  (``neurosim.plot``, ``neurosim.zoo``, ...), plus ``api/index.md`` for ``neurosim`` itself. A module's public names
  are its ``__all__`` where it defines one, else the names not starting with ``_`` that the module itself defines
  (functions, classes, assignments). The walk is static (the source is parsed with :mod:`ast`; a module is
  imported only if it computes its ``__all__``), so building the docs needs neither JAX nor BrainPy. Every object is rendered once, by a
  ``::: path`` mkdocstrings entry, where it is first met (a package's exports before its submodules); a later
  re-export of the same object is a link to that entry.
* **Notebooks** — ``notebooks/*.ipynb`` become ``notebooks/<name>.md`` without executing them: markdown cells as
  they are, code cells as fenced ``python`` blocks, stored text outputs as ``text`` blocks, stored PNG/JPEG images
  embedded when small.

:func:`public_names`, :func:`api_pages` and :func:`notebook_pages` are what ``tests/test_docs.py`` checks.
"""

from __future__ import annotations

import ast
import importlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "neurosim"
PACKAGE_DIR = ROOT / PACKAGE
NOTEBOOK_DIR = ROOT / "notebooks"
SKIP_MODULES = {"neurosim.__main__"}
IMAGE_LIMIT = 200_000  # bytes of base64: larger stored images are left out of the rendered notebook


# ---- the static walk ----------------------------------------------------------------------------------------------
@dataclass
class ModuleInfo:
    name: str
    path: Path
    is_package: bool
    docstring: str
    defined: list[str]  # names bound at module level by def / class / assignment, in source order
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, name or None)
    all: list[str] | None = None
    unpacked: dict[str, str] = field(default_factory=dict)  # names bound by tuple unpacking -> source of the line


@lru_cache(maxsize=None)
def modules() -> dict[str, ModuleInfo]:
    """Every module of the package by dotted name, in walk order (a package before its submodules)."""
    found: dict[str, ModuleInfo] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if any(p.startswith("_") and p != "__init__" for p in parts) or "__pycache__" in parts:
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        if name in SKIP_MODULES:
            continue
        found[name] = _parse(name, path, is_package)
    return dict(sorted(found.items(), key=lambda kv: kv[0].split(".")))


def _parse(name: str, path: Path, is_package: bool) -> ModuleInfo:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    info = ModuleInfo(name, path, is_package, ast.get_docstring(tree) or "", [])
    package = name if is_package else name.rpartition(".")[0]

    def visit(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                _bind(info, node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    for t in ast.walk(target):
                        if isinstance(t, ast.Name):
                            _bind(info, t.id)
                            if t is not target:  # ``A, B = 1, 2``: griffe does not collect these
                                line = (ast.get_source_segment(source, node) or "").splitlines()[:1]
                                info.unpacked[t.id] = (line[0] if line else "").replace("`", "'")
                if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
                    try:
                        info.all = [str(v) for v in ast.literal_eval(node.value)]
                    except ValueError:  # computed: read it from the imported module instead
                        info.all = list(importlib.import_module(name).__all__)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == "__all__":
                info.all = list(importlib.import_module(name).__all__)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                _bind(info, node.target.id)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for alias in node.names:
                    info.imports[alias.asname or alias.name] = (base, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    info.imports[alias.asname or alias.name.split(".")[0]] = (alias.name, None)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "orelse", []))

    visit(tree.body)
    return info


def _bind(info: ModuleInfo, name: str) -> None:
    if name not in info.defined:
        info.defined.append(name)


def public_names(module: str) -> list[str]:
    """``__all__`` of ``module`` where it defines one, else the names it defines that do not start with ``_``."""
    info = modules()[module]
    if info.all is not None:
        return list(info.all)
    return [n for n in info.defined if not n.startswith("_")]


def canonical(module: str, name: str, _seen=None) -> str:
    """Dotted path of the object ``module.name`` really is: re-exports are followed to the defining module."""
    seen = _seen or set()
    if (module, name) in seen:
        return f"{module}.{name}"
    seen.add((module, name))
    mods = modules()
    info = mods.get(module)
    if info is None:
        return f"{module}.{name}"
    if name in info.defined:
        return f"{module}.{name}"
    if f"{module}.{name}" in mods:
        return f"{module}.{name}"  # a submodule
    if name in info.imports:
        src, orig = info.imports[name]
        if orig is None:
            return src
        if f"{src}.{orig}" in mods:
            return f"{src}.{orig}"
        if src in mods:
            return canonical(src, orig, seen)
        return f"{src}.{orig}"  # a re-export of a third-party object
    return f"{module}.{name}"


def units() -> list[str]:
    """What gets one API page each: every subpackage and top-level module of ``neurosim``, then ``neurosim``."""
    tops = [m for m in modules() if m.count(".") == 1]
    return tops + [PACKAGE]


def unit_modules(unit: str) -> list[str]:
    """The modules documented on ``unit``'s page: the unit first, then its submodules (walk order)."""
    if unit == PACKAGE:
        return [PACKAGE]
    return [m for m in modules() if m == unit or m.startswith(unit + ".")]


def page_of(unit: str) -> str:
    return "api/index.md" if unit == PACKAGE else f"api/{unit.split('.', 1)[1]}.md"


# ---- the API pages ------------------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One public name of one module and where the site documents it."""

    module: str
    name: str
    target: str  # canonical path of the object
    page: str  # page that renders it
    anchor: str  # heading id of the rendered entry
    rendered_here: bool  # True: this (module, name) is the ``:::`` entry; False: a link to it


def _lazy_exports() -> dict[str, str]:
    """Names ``neurosim/__init__.py`` re-exports lazily (PEP 562 ``__getattr__``) -> the subpackage providing them."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.DictComp) and isinstance(node.value, ast.Constant) and node.generators:
            iterable = node.generators[0].iter
            if isinstance(iterable, (ast.Tuple, ast.List)):
                for elt in iterable.elts:
                    if isinstance(elt, ast.Constant):
                        out[elt.value] = node.value.value
    return out


@lru_cache(maxsize=None)
def entries() -> tuple[Entry, ...]:
    """Every (module, public name) of the package with the page and anchor that document it."""
    first: dict[str, tuple[str, str]] = {}  # canonical target -> (page, anchor)
    out: list[Entry] = []
    lazy = _lazy_exports()
    for unit in units():
        page = page_of(unit)
        for module in unit_modules(unit):
            for name in public_names(module):
                target = canonical(module, name)
                if module == PACKAGE and target == f"{PACKAGE}.{name}" and name not in modules()[PACKAGE].defined:
                    # a lazy (PEP 562) re-export: the subpackage that provides it
                    provider = lazy.get(name) or next((u for u in units()[:-1] if name in public_names(u)), None)
                    if provider is not None:
                        target = canonical(provider, name)
                if target in modules():  # a public name that is a module: its own section documents it
                    owner = next(u for u in units() if target == u or target.startswith(u + "."))
                    out.append(Entry(module, name, target, page_of(owner), target, False))
                    continue
                if target in first:
                    p, a = first[target]
                    out.append(Entry(module, name, target, p, a, False))
                    continue
                anchor = f"{module}.{name}"
                first[target] = (page, anchor)
                out.append(Entry(module, name, target, page, anchor, True))
    return tuple(out)


def _link(from_page: str, page: str, anchor: str) -> str:
    if page == from_page:
        return f"#{anchor}"
    rel = posixpath.relpath(page, posixpath.dirname(from_page))
    return f"{rel}#{anchor}"


def _first_line(text: str) -> str:
    line = text.strip().split("\n\n")[0].replace("\n", " ").strip()
    line = re.sub(r":(\w+):`~?([^`]*)`", r"`\2`", line)
    return line.replace("|", "\\|")


def api_pages() -> dict[str, str]:
    """Markdown of every API page, by path relative to the docs folder."""
    by_module: dict[str, list[Entry]] = {}
    for e in entries():
        by_module.setdefault(e.module, []).append(e)
    mods = modules()
    pages: dict[str, str] = {}
    for unit in units():
        page = page_of(unit)
        lines: list[str] = []
        if unit == PACKAGE:
            lines += [_root_entry(PACKAGE, 1), "", "## Exports", "",
                      "`import neurosim as ns` gives these names (the neuron, layer and training names are imported "
                      "on first use, so `import neurosim` stays light). Each links to where it is documented.", "",
                      "| name | documented at |", "|---|---|"]
            for e in by_module.get(PACKAGE, []):
                if not e.rendered_here:
                    lines.append(f"| [`{e.name}`]({_link(page, e.page, e.anchor)}) | `{e.anchor}` |")
            lines.append("")
            rendered = [e for e in by_module.get(PACKAGE, []) if e.rendered_here]
            if rendered:
                lines += ["## Defined here", ""]
                for e in rendered:
                    lines += [_entry(f"{e.module}.{e.name}", 3), ""]
            lines += ["## Subpackages and modules", "", "| page | what it holds |", "|---|---|"]
            for u in units()[:-1]:
                lines.append(f"| [`{u}`]({_link(page, page_of(u), u)}) | {_first_line(mods[u].docstring)} |")
            lines.append("")
            pages[page] = "\n".join(lines)
            continue
        for module in unit_modules(unit):
            info = mods[module]
            level = 1 if module == unit else 2
            lines += [_root_entry(module, level), ""]
            own = by_module.get(module, [])
            for e in own:
                if e.rendered_here:
                    lines += [_entry(f"{e.module}.{e.name}", 2 if module == unit else 3), ""]
            elsewhere = [e for e in own if not e.rendered_here]
            if elsewhere:
                kind = "package" if info.is_package else "module"
                lines += [f"Also exported by this {kind}, documented with the object's first appearance:", ""]
                for e in elsewhere:
                    lines.append(f"- [`{e.name}`]({_link(page, e.page, e.anchor)}) — `{e.anchor}`")
                lines.append("")
        pages[page] = "\n".join(lines)
    return pages


def _root_entry(module: str, level: int) -> str:
    return "\n".join([f"::: {module}", "    options:", "      members: false", "      show_root_heading: true",
                      "      show_root_full_path: true", f"      heading_level: {level}"])


def _entry(path: str, level: int) -> str:
    module, _, name = path.rpartition(".")
    info = modules().get(module)
    if info is not None and name in info.unpacked:  # not collectable by griffe: a plain entry with the same id
        return (f'<h{level} id="{path}"><code>{name}</code></h{level}>\n\n'
                f"Module constant, bound by `{info.unpacked[name]}`.")
    return "\n".join([f"::: {path}", "    options:", "      show_root_heading: true",
                      "      show_root_full_path: false", f"      heading_level: {level}"])


def api_nav() -> list:
    return [{"neurosim": "api/index.md"}] + [{u.split(".", 1)[1]: page_of(u)} for u in units()[:-1]]


# ---- notebooks ----------------------------------------------------------------------------------------------------
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _fence(body: str, lang: str) -> str:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{lang}\n{body.rstrip()}\n{ticks}"


def notebook_markdown(nb: dict, source: str) -> str:
    """Markdown for one notebook (a parsed ``.ipynb`` JSON document); ``source`` is its repository path."""
    lang = nb.get("metadata", {}).get("kernelspec", {}).get("language", "python") or "python"
    parts = []
    cells = nb.get("cells", [])
    if not (cells and cells[0].get("cell_type") == "markdown" and _text(cells[0]["source"]).lstrip().startswith("# ")):
        parts.append(f"# {Path(source).stem}")
    note = (f"*Rendered from `{source}` without running it; open it in Jupyter (`pip install -e \".[notebook]\"`) "
            "to execute the cells.*")
    header_done = False
    for cell in cells:
        kind = cell.get("cell_type")
        src = _text(cell.get("source", ""))
        if kind == "markdown":
            parts.append(src.strip())
        elif kind == "code":
            if src.strip():
                parts.append(_fence(src, lang))
            parts += [p for p in (_output(o) for o in cell.get("outputs", [])) if p]
        elif kind == "raw" and src.strip():
            parts.append(_fence(src, "text"))
        if not header_done and parts and parts[0].startswith("# "):
            parts.insert(1, note)
            header_done = True
    if not header_done:
        parts.insert(1, note)
    return "\n\n".join(parts) + "\n"


def _output(out: dict) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return _fence(_ANSI.sub("", _text(out.get("text", ""))), "text")
    if kind == "error":
        return _fence(_ANSI.sub("", "\n".join(out.get("traceback", []))), "text")
    data = out.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            b64 = _text(data[mime]).replace("\n", "")
            if len(b64) <= IMAGE_LIMIT:
                return f'<img alt="cell output" src="data:{mime};base64,{b64}">'
            return "*(a stored image output is left out of this page: too large)*"
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    if "text/plain" in data:
        return _fence(_ANSI.sub("", _text(data["text/plain"])), "text")
    return ""


def notebook_pages() -> dict[str, str]:
    """Markdown of every notebook page, by path relative to the docs folder."""
    pages = {}
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        pages[f"notebooks/{path.stem}.md"] = notebook_markdown(nb, f"notebooks/{path.name}")
    return pages


def notebook_nav() -> list:
    out = []
    for page, text in notebook_pages().items():
        title = next((l[2:].strip() for l in text.splitlines() if l.startswith("# ")), Path(page).stem)
        out.append({title: page})
    return out


# ---- Sphinx roles in rendered docstrings --------------------------------------------------------------------------
_ROLE = re.compile(r":(?:py:)?(class|func|meth|mod|attr|data|exc|obj|const|math|ref|term|doc):<code>(~?)([^<]*)</code>")


def strip_roles(html: str) -> str:
    """``:class:`~a.b.C``` renders as ``:class:<code>~a.b.C</code>``; show it as ``<code>C</code>``."""
    def repl(m):
        role, tilde, text = m.groups()
        if tilde:
            text = text.rsplit(".", 1)[-1]
        return f"<code>{text}</code>"

    return _ROLE.sub(repl, html)


# ---- MkDocs hooks -------------------------------------------------------------------------------------------------
def on_config(config, **kwargs):
    nav = config.get("nav")
    if nav is not None:
        nav.append({"Notebooks": notebook_nav()})
        nav.append({"API reference": api_nav()})
    return config


def on_files(files, config, **kwargs):
    from mkdocs.structure.files import File

    for path, text in {**notebook_pages(), **api_pages()}.items():
        files.append(File.generated(config, path, content=text))
    return files


def on_page_content(html, page, config, files, **kwargs):
    return strip_roles(html)
