"""Turn a MODEL argument into something :func:`neurosim.simulate` can run: a trained zoo entry (by name or
``.toml`` path), a NIR file, or a description entry (structure only: built with random weights, so what is
simulated is the architecture, not a trained network). The COBA benchmark has its own builder,
:func:`neurosim.models.coba.coba_network`.

Used by ``neurosim simulate MODEL``; from Python::

    src = open_model("egru-spoken-digits")
    result = ns.simulate(src.model, src.random_input(steps=80, rate=0.05), params=src.params)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurosim.errors import ValidationError


@dataclass
class ModelSource:
    """A runnable model and what it was built from: ``kind`` is "trained", "nir" or "description"."""

    name: str
    kind: str
    model: object
    params: object
    n_in: int | None
    default_steps: int
    notes: list = field(default_factory=list)

    def random_input(self, steps: int, rate: float, batch: int = 1, seed: int = 0) -> np.ndarray:
        """Binary input spikes, time-major ``(steps, batch, n_in)``, each on with probability ``rate``."""
        if self.n_in is None:
            raise ValidationError(f"{self.name}: this model takes no input")
        rng = np.random.default_rng(seed)
        return (rng.random((steps, batch, self.n_in)) < rate).astype(np.float32)


def open_model(spec: str | Path, *, dt: float | None = None, seed: int = 0, search_path=None) -> ModelSource:
    """Resolve ``spec`` (see module docstring); ``dt`` is used for NIR files (default: the NIR reader's),
    ``seed`` draws the random weights of a description."""
    import jax

    from neurosim import zoo

    text = str(spec)
    if text.endswith(".nir"):
        from neurosim.io.nir import import_nir

        kwargs = {} if dt is None else {"dt": dt}
        model, params = import_nir(text, **kwargs)
        return ModelSource(Path(text).name, "nir", model, params, model.n_in, 100)
    data, path = zoo._read(text, search_path)
    if data.get("kind") == "trained":
        zm = zoo.load(path)
        return ModelSource(zm.name, "trained", zm.model, zm.params, _n_in(zm.model),
                           int(data.get("input", {}).get("n_steps", 100)))
    desc = zoo.load_description(path)
    model = zoo.architecture(path) if data.get("kind") == "architecture" else network_from_description(desc)
    params = model.init(jax.random.PRNGKey(seed))
    return ModelSource(desc.name, "description", model, params, _n_in(model), max(desc.steps, 1),
                       notes=["a description has no trained weights: simulated with random weights "
                              f"(seed {seed}), so the activity shows the architecture, not the trained network"])


def network_from_description(desc):
    """A :class:`~neurosim.core.sequential.Sequential` with the layers of a description entry (random weights):
    ``gated`` layers become EGRUs, ``lif`` layers LIF layers (recurrent when the layer lists itself as an input),
    ``readout`` layers leaky integrators. Only chains (each layer fed by the input or the previous layer) can be
    built; other topologies are refused."""
    import neurosim as ns
    from neurosim.models import EGRU

    layers, previous = [], "input"
    for spec in desc.specs:
        feeds = [p for p in spec.projections if not p.recurrent]
        if len(feeds) != 1 or feeds[0].source != previous:
            raise ValidationError(f"{desc.name}: layer {spec.name!r} is fed by "
                                  f"{[p.source for p in feeds] or 'nothing'}; only chains (each layer fed by the "
                                  f"previous one, {previous!r}) can be built from a description")
        n_in, n = feeds[0].n_in, spec.n_neurons
        recurrent = any(p.recurrent for p in spec.projections)
        if spec.update == "gated":
            layers.append(EGRU(n_in, n))
        elif spec.update == "readout" or not spec.spiking:
            layers.append(ns.Layer(ns.Dense(n_in, n), ns.LI(n, beta=0.9)))
        else:
            rec = ns.Dense(n, n, bias=False, scale=0.5) if recurrent else None
            layers.append(ns.Layer(ns.Dense(n_in, n), ns.LIF(n, beta=0.9), recurrent=rec))
        previous = spec.name
    if not layers:
        raise ValidationError(f"{desc.name}: the description has no layers")
    return ns.Sequential(layers)


def _n_in(model) -> int | None:
    n_in = getattr(model, "n_in", None)
    if n_in is None and getattr(model, "layers", None):
        first = model.layers[0]
        n_in = getattr(first, "n_in", None) or getattr(getattr(first, "proj", None), "n_in", None)
    return int(n_in) if n_in is not None else None
