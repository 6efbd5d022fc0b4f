"""Running on several devices with ``jax.sharding``: batch (data) parallelism and neuron sharding.

* :func:`batch_sharding` / :func:`shard` put arrays on a 1-D mesh with the batch axis split across devices;
  ``simulate(..., devices=...)`` and ``Trainer(..., devices=...)`` use it, so XLA's SPMD partitioner runs every
  sample of a batch on one device and all-reduces gradients (data parallelism). Parameters are replicated.
* :func:`neuron_sharding` splits the *neuron* axis of states (and the output axis of weights) instead, for one
  network too large for a device; dense projections partition as sharded matmuls. (BrainPy's event-CSR kernel is a
  custom call that XLA cannot partition: use dense or ``SparseLinear`` projections for neuron sharding.)

On CPU, tests use ``XLA_FLAGS=--xla_force_host_platform_device_count=4``. Simulation results are bit-identical to a
single device (each sample or neuron is computed by the same operations); training differs only by the summation
order of the gradient all-reduce (≤ 1e-6 relative).

Several processes (hosts, or processes on one machine): call :func:`initialize` in every process before anything
else touches JAX, then pass ``devices=jax.devices()`` (every process's devices) to ``Trainer``/``simulate``. Every
process runs the same script on the same data (same seed, same shuffling); each computes only the samples of its own
devices and the gradient all-reduce crosses processes (Gloo on CPU, NCCL on GPUs), so the parameters stay
replicated and equal those of one process (tested with two local CPU processes,
``tests/test_distributed.py``). On GPUs/hosts the call is the same with each process's coordinator address, count
and index (e.g. from SLURM: ``jax.distributed.initialize()`` with no arguments detects them; use that there).
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: F401  (Mesh re-exported)

from neurosim.errors import ValidationError


def initialize(coordinator_address: str, num_processes: int, process_id: int, **kwargs) -> None:
    """Join a multi-process JAX job (``jax.distributed.initialize``); on CPU, selects Gloo for cross-process
    collectives (JAX's CPU backend has none by default). Must run before JAX creates its backends."""
    from neurosim import validate

    n = validate.positive_int("num_processes", num_processes)
    i = validate.positive_int("process_id", process_id, allow_zero=True)
    if i >= n:
        raise ValidationError(f"process_id: {i} is not below num_processes = {n}")
    if "cpu" in str(jax.config.jax_platforms or "cpu"):
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address, num_processes=n, process_id=i, **kwargs)


def local(tree):
    """Host (NumPy) copies of this process's part of a replicated pytree (e.g. ``trainer.params`` in a
    multi-process job, where ``np.asarray`` of a global array would need the other processes' data)."""
    def host(a):
        if hasattr(a, "addressable_data"):
            return np.asarray(a.addressable_data(0))
        return np.asarray(a)

    return jax.tree_util.tree_map(host, tree)


def mesh(devices=None, axis: str = "batch") -> Mesh:
    """A 1-D mesh over ``devices`` (an int count, a list of devices, or None for all)."""
    if devices is None:
        devs = jax.devices()
    elif isinstance(devices, int):
        if devices < 1 or devices > len(jax.devices()):
            raise ValidationError(f"devices: asked for {devices}, {len(jax.devices())} available")
        devs = jax.devices()[:devices]
    else:
        devs = list(devices)
    return Mesh(np.array(devs), (axis,))


def batch_sharding(m: Mesh, ndim: int, batch_axis: int) -> NamedSharding:
    spec = [None] * ndim
    spec[batch_axis] = m.axis_names[0]
    return NamedSharding(m, PartitionSpec(*spec))


def replicated(m: Mesh) -> NamedSharding:
    return NamedSharding(m, PartitionSpec())


def shard(x, m: Mesh, batch_axis: int):
    """Place ``x`` with ``batch_axis`` split across the mesh (its size must divide evenly)."""
    n = m.devices.size
    if x.shape[batch_axis] % n:
        raise ValidationError(f"batch: size {x.shape[batch_axis]} is not divisible by {n} devices")
    return jax.device_put(x, batch_sharding(m, x.ndim, batch_axis))


def replicate(tree, m: Mesh):
    return jax.device_put(tree, replicated(m))


def neuron_sharding(tree, m: Mesh):
    """Shard every array leaf along its last axis when that axis divides the mesh size (states, weights' output
    axis, biases); other leaves are replicated."""
    n = m.devices.size

    def put(a):
        if hasattr(a, "ndim") and a.ndim >= 1 and a.shape[-1] % n == 0:
            spec = [None] * (a.ndim - 1) + [m.axis_names[0]]
            return jax.device_put(a, NamedSharding(m, PartitionSpec(*spec)))
        return jax.device_put(a, replicated(m))

    return jax.tree_util.tree_map(put, tree)
