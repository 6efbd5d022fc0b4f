"""The documentation site: the how-to guides' code runs, the API reference covers every public name, the notebooks
are rendered, and ``mkdocs build --strict`` passes (skipped without the ``docs`` extra)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDES = sorted((DOCS / "howto").glob("*.md")) + [DOCS / "index.md"]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _gen_api():
    spec = importlib.util.spec_from_file_location("neurosim_docs_gen_api", DOCS / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gen = _gen_api()

# Runs every guide's python blocks, each guide in a fresh namespace, in one interpreter (one JAX import), and
# reports the runtime ``__all__`` of every module that declares one (to check the generator's static walk).
_RUNNER = r"""
import contextlib, importlib, io, json, re, sys, time, traceback
guides, modules, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
pattern = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
report = {"guides": {}, "all": {}}
for path in guides:
    code = "\n\n".join(pattern.findall(open(path, encoding="utf-8").read()))
    start, buf = time.time(), io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(code, path, "exec"), {"__name__": "__guide__"})
        error = None
    except BaseException:
        error = traceback.format_exc()
    report["guides"][path] = {"error": error, "seconds": time.time() - start, "stdout": buf.getvalue()[-2000:]}
for name in modules:
    try:
        report["all"][name] = list(importlib.import_module(name).__all__)
    except ImportError as exc:  # an optional dependency is missing: nothing to compare
        report["all"][name] = None
json.dump(report, open(out, "w"))
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("guides") / "report.json"
    with_all = [m for m, info in gen.modules().items() if info.all is not None]
    env = dict(os.environ, JAX_PLATFORMS="cpu", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", _RUNNER, json.dumps([str(g) for g in GUIDES]), json.dumps(with_all),
                           str(out)], cwd=out.parent, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_code_runs(executed, guide):
    assert PYTHON_BLOCK.findall(guide.read_text(encoding="utf-8")), f"{guide.name} has no python example"
    result = executed["guides"][str(guide)]
    assert result["error"] is None, f"{guide.name}:\n{result['error']}\nstdout:\n{result['stdout']}"


def test_static_walk_matches_runtime_all(executed):
    for name, runtime in executed["all"].items():
        if runtime is not None:
            assert gen.public_names(name) == runtime, name


# ---- API coverage -------------------------------------------------------------------------------------------------
def _documented(pages: dict[str, str]):
    """Identifiers rendered by ``::: id`` (or a raw heading id) per page, and the link lines ``[`name`](...#id)``."""
    rendered, links = {}, {}
    for page, text in pages.items():
        rendered[page] = set(re.findall(r"^::: (\S+)", text, re.M)) | set(re.findall(r'<h\d id="([^"]+)"', text))
        links[page] = re.findall(r"\[`([^`]+)`\]\(([^)#]*)#([^)]+)\)", text)
    return rendered, links


def missing_names(pages: dict[str, str], names: dict[str, list[str]]) -> list[str]:
    """``module.name`` entries that no API page documents: neither rendered on the page of the module's unit nor
    linked from it to an identifier rendered somewhere."""
    rendered, links = _documented(pages)
    everywhere = set().union(*rendered.values())
    missing = []
    for module, public in names.items():
        unit = module if module == gen.PACKAGE else ".".join(module.split(".")[:2])
        page = gen.page_of(unit)
        for name in public:
            ident = f"{module}.{name}"
            if ident in rendered.get(page, set()):
                continue
            if any(n == name and anchor in everywhere for n, _, anchor in links.get(page, [])):
                continue
            missing.append(ident)
    return missing


def _all_public_names() -> dict[str, list[str]]:
    return {m: gen.public_names(m) for m in gen.modules()}


def test_api_pages_cover_every_public_name():
    names = _all_public_names()
    assert {"neurosim", "neurosim.core", "neurosim.data", "neurosim.devices", "neurosim.hardware", "neurosim.io",
            "neurosim.learn", "neurosim.models", "neurosim.physical", "neurosim.plot", "neurosim.zoo",
            "neurosim.parallel", "neurosim.validate", "neurosim.errors", "neurosim.cli"} <= set(names)
    assert "LIF" in names["neurosim"] and "estimate" in names["neurosim.hardware"]
    pages = gen.api_pages()
    assert set(pages) == {gen.page_of(u) for u in gen.units()}
    assert missing_names(pages, names) == []


def test_api_coverage_check_detects_a_missing_name():
    names = _all_public_names()
    names["neurosim.core"] = names["neurosim.core"] + ["NotDocumentedAnywhere"]
    assert missing_names(gen.api_pages(), names) == ["neurosim.core.NotDocumentedAnywhere"]
    pages = dict(gen.api_pages())
    pages["api/core.md"] = pages["api/core.md"].replace("::: neurosim.core.LIF\n", "::: removed\n")
    assert "neurosim.core.LIF" in missing_names(pages, _all_public_names())


# ---- notebooks ----------------------------------------------------------------------------------------------------
def test_every_notebook_is_rendered_with_all_its_cells():
    pages = gen.notebook_pages()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks and set(pages) == {f"notebooks/{nb.stem}.md" for nb in notebooks}
    for nb in notebooks:
        text = pages[f"notebooks/{nb.stem}.md"]
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]).strip()
            if source:
                assert source in text, (nb.name, source[:60])


def test_notebook_outputs_text_and_images():
    nb = {"metadata": {}, "cells": [
        {"cell_type": "markdown", "source": ["# Title\n", "text"]},
        {"cell_type": "code", "source": ["print(1)"], "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]}},
            {"output_type": "display_data", "data": {"image/png": "A" * (gen.IMAGE_LIMIT + 1)}}]}]}
    text = gen.notebook_markdown(nb, "notebooks/x.ipynb")
    assert text.startswith("# Title\n") and "```python\nprint(1)\n```" in text and "```text\n1\n```" in text
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in text and "too large" in text


def test_sphinx_roles_are_stripped():
    html = "see :class:<code>~neurosim.errors.ProfileError</code> and :math:<code>\\tau</code>"
    assert gen.strip_roles(html) == "see <code>ProfileError</code> and <code>\\tau</code>"


# ---- the site -----------------------------------------------------------------------------------------------------
def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "WARNING" not in log, log[-4000:]
    for page in gen.notebook_pages():
        assert (site / page[:-3] / "index.html").is_file(), page
    rendered, _ = _documented(gen.api_pages())
    for page, idents in rendered.items():
        html_file = site / ("api/index.html" if page == "api/index.md" else f"{page[:-3]}/index.html")
        html = html_file.read_text(encoding="utf-8")
        absent = [i for i in idents if f'id="{i}"' not in html]
        assert not absent, (page, absent[:10])
        assert ":class:<code>" not in html and ":func:<code>" not in html, page
    for guide in GUIDES:
        rel = guide.relative_to(DOCS).with_suffix("")
        assert (site / ("index.html" if rel.name == "index" else f"{rel}/index.html")).is_file(), guide
