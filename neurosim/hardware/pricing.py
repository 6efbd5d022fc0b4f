"""The one pricing path: every front end (``neurosim energy``, :func:`price`, the demo, the model-zoo cards and the
benchmarks) turns a model plus its activity into an :class:`~neurosim.hardware.estimate.Estimate` here, so they
print the same number for the same inputs.

Where the activity comes from is always explicit and is carried in ``Estimate.assumptions``:

* a trained zoo entry prices the activity **measured on its test set** (recorded in its TOML, ``[results.workload]``);
* ``rate=R`` prices a uniform activity ``R`` on every spiking layer (the CLI's ``--rate``);
* ``activity=`` a fraction, a ``{layer: fraction}`` mapping, or a measured :class:`~neurosim.core.activity.Activity`;
* a description entry without any of these prices the activity its file states (``[activity]``), and says so;
* a NIR file (``*.nir``) is imported (:func:`neurosim.io.nir.import_nir`) and priced at the ``rate``/``activity``
  given, over ``steps`` steps per inference (NIR records neither; both are printed as assumptions).

A trained entry without a recorded workload, given no rate, is an error rather than a silent default.
"""

from __future__ import annotations

from neurosim.errors import ValidationError
from neurosim.hardware.estimate import Estimate
from neurosim.hardware.profile import Profile, load_profile
from neurosim.hardware.workload import Workload, check_workload

# Options each mapper accepts (anything else is a clear error instead of a TypeError deep inside).
OPTIONS = {"spinnaker2": {"dvfs", "precision", "execution", "max_neurons_per_pe", "allow_dram", "max_chips", "pes"},
           "imc": {"event_driven", "conv_copies", "input_bit_density"}, "digital": {"execution", "batch"}}

# The targets and options every model-zoo card lists (one place: cards, benchmark and tests read it).
CARD_TARGETS = ("spinnaker2", "imc-rram-40nm", "imc-rram-22nm", "cpu-45nm-core", "cpu-45nm-horowitz", "gpu-a100")


def _describe(act) -> str:
    """``0.2`` / ``{"default": 0.2}`` -> "0.2 on every spiking layer"; a mapping -> "layer a 0.1, layer b 0.3"."""
    if isinstance(act, dict):
        rest = {k: v for k, v in act.items() if k != "default"}
        parts = [f"{k} {v:g}" for k, v in rest.items()]
        if "default" in act:
            parts.append(f"{act['default']:g} on {'every other' if rest else 'every'} spiking layer")
        return ", ".join(parts)
    return f"{act:g} on every spiking layer"


def _profile(target) -> Profile:
    return target if isinstance(target, Profile) else load_profile(target)


def estimate(workload: Workload, target: str | Profile = "spinnaker2", **options) -> Estimate:
    """Price a :class:`Workload` on a target profile (name, path or :class:`Profile`); options go to the mapper
    (unknown options are refused, naming those the target takes)."""
    from neurosim.hardware.digital import estimate_digital
    from neurosim.hardware.imc import estimate_imc
    from neurosim.hardware.spinnaker2 import estimate_spinnaker2

    profile = _profile(target)
    options = {k: v for k, v in options.items() if v is not None}
    bad = sorted(set(options) - OPTIONS[profile.kind])
    if bad:
        article = "an" if profile.kind[0] in "aeiou" else "a"
        raise ValidationError(f"{profile.name}: option(s) {', '.join(bad)} do not apply to {article} {profile.kind} "
                              f"target ({profile.kind} targets take {', '.join(sorted(OPTIONS[profile.kind]))})")
    check_workload(workload)
    mapper = {"spinnaker2": estimate_spinnaker2, "imc": estimate_imc, "digital": estimate_digital}[profile.kind]
    est = mapper(workload, profile, **options)
    est.assumptions = list(getattr(workload, "assumptions", []))
    return est


NIR_DEFAULT_STEPS = 100  # steps per inference for a NIR file when none is given (printed as an assumption)


def _is_nir(model) -> bool:
    import os

    return isinstance(model, (str, os.PathLike)) and str(model).endswith(".nir")


def _nir_workload(path, *, activity, rate, steps, dt) -> Workload:
    from neurosim.hardware.workload import from_rates
    from neurosim.io.nir import import_nir

    if rate is None and activity is None:
        raise ValidationError(f"{path}: a NIR file records weights, not activity; give rate=R (--rate R) or "
                              "activity={layer: fraction} (--activity FILE), or measure it on input you choose: "
                              f"neurosim import-nir {path} --target TARGET")
    if hasattr(activity, "layers") and hasattr(activity, "steps"):
        raise ValidationError(f"{path}: a measured Activity belongs to a model object; price that model "
                              "(hw.price(model, activity=run.activity)) instead of the file")
    model, _ = import_nir(path, dt=dt)
    n_steps = NIR_DEFAULT_STEPS if steps is None else steps
    act = rate if rate is not None else activity
    default = act.get("default", 1.0) if isinstance(act, dict) else act
    wl = from_rates(model, steps=n_steps, activity=act, input_activity=float(default))
    wl.assumptions = [f"activity: {_describe(act)} (given as {'rate/--rate' if rate is not None else 'activity/--activity'}"
                      "), input activity the same",
                      f"steps: {n_steps} per inference ({'given' if steps is not None else 'default for a NIR file'}"
                      "; --steps)"]
    return check_workload(wl, "activity")


def resolve_workload(model, *, activity=None, rate: float | None = None, steps: int | None = None,
                     dt: float | None = None) -> Workload:
    """The workload a front end prices, with ``workload.assumptions`` saying where its activity came from.
    ``steps``/``dt`` apply to NIR files only (steps per inference; import time step, see ``import_nir``)."""
    from neurosim import validate
    from neurosim.zoo import Description, load_description

    if (steps is not None or dt is not None) and not _is_nir(model):
        raise ValidationError("steps/dt (--steps/--dt) apply to NIR files only; a zoo entry or description "
                              "states its own")
    if steps is not None:
        steps = validate.positive_int("steps", steps)

    if isinstance(model, Workload):
        if rate is not None or activity is not None:
            raise ValidationError("a Workload already carries its activity; do not also give rate/activity")
        wl = model
        wl.assumptions = list(getattr(wl, "assumptions", [])) or [f"activity: {wl.source} workload as given"]
        return wl
    if activity is not None and rate is not None:
        raise ValidationError("give either rate or activity, not both")
    if rate is not None:
        validate.in_range("rate", rate, 0.0, 1.0)
    if _is_nir(model):
        return _nir_workload(model, activity=activity, rate=rate, steps=steps, dt=dt)
    if hasattr(activity, "layers") and hasattr(activity, "steps"):  # a measured Activity of a model object
        from neurosim.hardware.workload import from_activity

        wl = from_activity(model, activity)
        wl.assumptions = ["activity: measured in the run given"]
        return wl
    desc = model if isinstance(model, Description) else load_description(model)
    if rate is not None:
        wl = desc.workload(float(rate))
        wl.assumptions = [f"activity: uniform {rate:g} on every spiking layer (given as rate/--rate)"]
    elif activity is not None:
        wl = desc.workload(activity)
        wl.assumptions = [f"activity: {_describe(activity)} (given as activity/--activity)"]
    elif desc.recorded is not None:
        wl = desc.workload()
        wl.assumptions = [f"activity: measured on {desc.recorded_on} by {desc.name} (recorded in its zoo entry, "
                          "[results.workload])"]
    elif desc.stated_activity:
        wl = desc.workload()
        wl.assumptions = [f"activity: {_describe(desc.activity)}, as stated in the zoo entry {desc.name} "
                          f"({desc.activity_source or 'its [activity] table'}); change it with --rate/--activity"]
    else:
        raise ValidationError(f"{desc.name}: no recorded activity; give rate=R (--rate R) or activity=FILE "
                              "(--activity FILE)")
    return wl


def price(model, target: str | Profile = "spinnaker2", *, activity=None, rate: float | None = None,
          steps: int | None = None, dt: float | None = None, **options) -> Estimate:
    """Price a zoo entry (name or path), a :class:`~neurosim.zoo.Description`, a NIR file, a model with its
    measured ``activity``, or a :class:`Workload` on ``target``: the function behind the CLI, the cards and the
    benchmarks."""
    return estimate(resolve_workload(model, activity=activity, rate=rate, steps=steps, dt=dt), target, **options)


def card_energies(model) -> dict[str, float]:
    """µJ per inference (as deployed) on every :data:`CARD_TARGETS` target, at each profile's defaults — what a
    model-zoo card lists and ``neurosim energy`` prints."""
    wl = resolve_workload(model)
    return {t: estimate(wl, t).energy_per_inference * 1e6 for t in CARD_TARGETS}
