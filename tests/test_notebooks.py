"""Every notebook in notebooks/ runs top to bottom (the shared small-size switch, NEUROSIM_NOTEBOOK_SMALL=1, on),
shows at least one figure, and prints no progress-bar or nbformat warnings."""

import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("NEUROSIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # let the kernel use its inline backend (figures as PNG)
    repo = str(path.parents[1])
    monkeypatch.setenv("PYTHONPATH", repo + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    images = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no figure"
    first = "".join(o.get("text", "") for o in code[0].get("outputs", []) if o.get("output_type") == "stream")
    assert "small version" in first, f"{path.name} did not pick up the shared NEUROSIM_NOTEBOOK_SMALL switch"
    stderr = "".join(o.get("text", "") for c in code for o in c.get("outputs", []) if o.get("name") == "stderr")
    assert "IProgress not found" not in stderr and "MissingIDFieldWarning" not in stderr, stderr[:500]
