"""Notebook polish, checked without running the notebooks: one size switch (``neurosim.notebook``) read by all of
them, valid nbformat with cell ids, labelled/log energy axes in notebook 05, and ``tqdm.auto`` progress bars."""

import ast
import json
import warnings
from pathlib import Path

import pytest

from neurosim import notebook
from neurosim.errors import ValidationError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _code(path):
    return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("value, small", [(None, False), ("", False), ("0", False), ("false", False),
                                          ("off", False), ("1", True), ("true", True), (" YES ", True)])
def test_one_switch(monkeypatch, value, small):
    if value is None:
        monkeypatch.delenv(notebook.ENV, raising=False)
    else:
        monkeypatch.setenv(notebook.ENV, value)
    assert notebook.small() is small
    assert notebook.pick(small="s", full="f") == ("s" if small else "f")
    assert (notebook.ENV + "=1") in notebook.describe() or small


def test_a_typo_in_the_switch_is_an_error(monkeypatch):
    monkeypatch.setenv("NEUROSIM_NOTEBOOK_SMALL", "smal")
    with pytest.raises(ValidationError, match="NEUROSIM_NOTEBOOK_SMALL.*'smal'"):
        notebook.small()


def test_all_notebooks_found():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_uses_the_shared_switch(path):
    cells = _code(path)
    first = cells[0]
    assert "from neurosim.notebook import" in first and "SMALL = small()" in first
    assert "NEUROSIM_NOTEBOOK_SMALL=1" in first  # documented where a reader starts
    lines = first.splitlines()
    jax_cpu = next(i for i, line in enumerate(lines) if "JAX_PLATFORMS" in line)
    switch = next(i for i, line in enumerate(lines) if "from neurosim.notebook import" in line)
    first_jax = next(i for i, line in enumerate(lines) if "jax" in line and "import" in line)
    assert jax_cpu < switch < first_jax  # the platform is chosen before anything imports JAX
    for src in cells:
        assert "os.environ.get(\"NEUROSIM_NOTEBOOK_SMALL\"" not in src and "getenv" not in src, path.name
        assert " if SMALL else " not in src, path.name  # sizes go through pick(small=..., full=...)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_is_valid_nbformat_with_cell_ids(path):
    nbformat = pytest.importorskip("nbformat")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # MissingIDFieldWarning included
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    for src in _code(path):
        ast.parse("\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!"))))


def test_notebook05_energy_chart_is_on_a_log_axis():
    cells = _code(REPO / "notebooks" / "05_energy.ipynb")
    chart = [c for c in cells if "energy_breakdown(" in c]
    assert chart and all("log=True" in c for c in chart)


def test_progress_bars_use_tqdm_auto():
    """``from tqdm import tqdm`` prints 'IProgress not found' warnings in Jupyter; tqdm.auto picks the widget."""
    offenders = []
    for path in sorted((REPO / "neurosim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("tqdm", "tqdm.std", "tqdm.notebook"):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if isinstance(node, ast.Import) and any(a.name in ("tqdm", "tqdm.std") for a in node.names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, offenders
