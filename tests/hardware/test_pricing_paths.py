"""One pricing path: for every zoo model and card target, `neurosim energy` (CLI), `hardware.price` (API), the
model card and its TOML results print the same number; options that do not apply are refused."""

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

import neurosim.hardware as hw
from neurosim.cli import main
from neurosim.errors import MappingError, ValidationError
from neurosim.hardware.estimate import fmt_energy, fmt_time
from neurosim.zoo import ZOO_DIR, _read, list_models

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from zoo_cards import card_table  # noqa: E402


def cli_json(*args) -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["energy", *args, "--json"]) == 0
    return json.loads(buf.getvalue())


@pytest.mark.parametrize("name", list_models())
def test_cli_card_and_api_agree_for_every_target(name):
    table = card_table((ZOO_DIR / f"{name}.md").read_text())
    assert set(table) == set(hw.CARD_TARGETS)
    config, _ = _read(name)
    for target in hw.CARD_TARGETS:
        api = hw.price(name, target)
        cli = cli_json(name, "--target", target)
        assert cli["energy_per_inference_J"] == api.energy_per_inference
        assert cli["kernel_bound"]["energy_per_inference_J"] == api.kernel_energy
        assert cli["assumptions"] == api.assumptions and cli["assumptions"][0].startswith("activity:")
        assert table[target] == (fmt_energy(api.kernel_energy), fmt_time(api.kernel_latency),
                                 fmt_energy(api.energy_per_inference), fmt_time(api.latency)), (name, target)
        if config["kind"] == "trained":
            assert config["results"]["energy_uJ_per_inference"][target] == pytest.approx(
                api.energy_per_inference * 1e6, rel=1e-5)


def test_readme_quotes_the_card_numbers():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in list_models():
        for target in ("spinnaker2", "imc-rram-40nm", "gpu-a100"):
            e = hw.price(name, target)
            assert f"{fmt_energy(e.energy_per_inference)}" in readme, (name, target)


def test_explain_terms_add_up_and_name_fields():
    est = hw.price("egru-lm-wikitext2", "spinnaker2")
    assert sum(t.energy for t in est.terms) == pytest.approx(est.energy_per_inference, rel=1e-12)
    assert sum(t.energy for t in est.terms if t.scope == "kernel") == pytest.approx(est.kernel_energy, rel=1e-12)
    assert sum(p.seconds for p in est.latency_parts) == pytest.approx(est.latency, rel=1e-12)
    assert est.energy_per_inference > est.kernel_energy and est.latency > est.kernel_latency
    assert all(t.field for t in est.terms)
    text = est.explain()
    assert "dvfs.pl4.energy_per_cycle" in text and "host_link" in text and "orchestration" in text
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["energy", "egru-lm-wikitext2", "--explain"]) == 0
    assert "energy terms" in buf.getvalue() and "assumption: activity: 0.2" in buf.getvalue()


def test_static_power_is_charged_over_the_whole_latency():
    est = hw.price("egru-lm-wikitext2", "spinnaker2", pes=150)
    static = [t for t in est.terms if t.component == "static"][0]
    assert static.count == pytest.approx(est.kernel_latency)  # incl. pipeline fill, not just the step time
    idle = [t for t in est.terms if t.component == "idle"][0]
    assert idle.count == pytest.approx(est.latency - est.kernel_latency)
    assert est.resources["PEs"] == 150 and est.resources["dvfs"] == "pl4"


def test_rate_and_options_are_explicit():
    lo, hi = hw.price("egru-lm-wikitext2", "spinnaker2", rate=0.05), hw.price("egru-lm-wikitext2", "spinnaker2",
                                                                                 rate=0.5)
    assert lo.kernel_energy < hi.kernel_energy and "uniform 0.05" in lo.assumptions[0]
    with pytest.raises(ValidationError, match="do not apply"):
        hw.price("egru-lm-wikitext2", "imc-rram-40nm", dvfs="pl1")
    with pytest.raises(MappingError, match="at least 93 PEs"):
        hw.price("egru-lm-wikitext2", "spinnaker2", pes=10)
    one, many = hw.price("egru-lm-wikitext2", "gpu-a100", batch=1), hw.price("egru-lm-wikitext2", "gpu-a100",
                                                                            batch=64)
    assert many.energy_per_inference < one.energy_per_inference and many.throughput > one.throughput
    assert hw.price("egru-lm-wikitext2", "gpu-a100").resources["weights_on_chip"] is False  # dense FP32 > 40 MB L2


@pytest.mark.parametrize("name", list_models())
def test_every_card_table_is_what_the_pricing_path_prints(name):
    # the whole generated block: default targets, each DVFS level / IMC conv option, and the per-layer table
    from zoo_cards import card_block, energy_table, variants

    assert card_block((ZOO_DIR / f"{name}.md").read_text()) == card_block(energy_table(name))
    wl = hw.resolve_workload(name)
    for target, opts in variants(wl):
        est = hw.price(name, target, **opts)
        args = ["--target", target] + sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in opts.items()), [])
        assert cli_json(name, *args)["energy_per_inference_J"] == est.energy_per_inference, (name, target, opts)
