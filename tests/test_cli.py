"""The command line: --help for every subcommand, exit codes, and the demo writing its report."""

import json
import subprocess
import sys

import pytest

from neurosim.cli import build_parser, main

SUBCOMMANDS = [name for name in build_parser()._subparsers._group_actions[0].choices]


@pytest.mark.parametrize("sub", ["--help"] + [f"{s} --help" for s in SUBCOMMANDS])
def test_help_exits_zero(sub, capsys):
    with pytest.raises(SystemExit) as exc:
        main(sub.split())
    assert exc.value.code == 0
    assert "usage: neurosim" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["-3", "0", "inf", "nan", "abc"])
def test_bad_arguments_exit_2_with_one_line(capsys, value):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--seconds", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"neurosim simulate: error: argument --seconds: expected a positive finite number, got {value!r}"
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: neurosim" in capsys.readouterr().out


def test_simulate_json_small(capsys):
    assert main(["simulate", "--seconds", "0.05", "--scale", "0.1", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 500 and out["neurons"] == 400
    assert set(out["rates_hz"]) == {"E", "I"}


def test_demo_writes_report(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "neurosim", "demo", "--out", str(tmp_path), "--small", "--epochs", "1",
                           "--hidden", "16", "--lsm-neurons", "60", "--quiet"], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] in proc.stdout
    assert set(report["models"]) == {"EGRU", "RRAM LSM"}
    for name, m in report["models"].items():
        assert 0.0 <= m["test_accuracy"] <= 1.0 and 0.0 <= m["activity_sparsity"] <= 1.0
        assert {"spinnaker2", "imc-rram-40nm"} <= set(m["hardware"])
        for tgt, e in m["hardware"].items():
            assert e["energy_per_inference_J"] > 0 and e["latency_s"] > 0, (name, tgt)
            # per-layer energies add up to the dynamic part of the total
            assert sum(sum(v.values()) for v in e["energy_by_layer_J"].values()) <= e["energy_per_inference_J"] * 1.0001
    assert len(report["models"]["EGRU"]["history"]) == 1
    md = (tmp_path / "report.md").read_text()
    for f in report["figures"].values():
        png = (tmp_path / f).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000, f  # a real, non-trivial image
        assert f"({f})" in md


def test_demo_bad_argument_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["demo", "--epochs", "0"])
    assert e.value.code == 2
    assert "--epochs" in capsys.readouterr().err


def test_energy_on_zoo_model_json(capsys):
    assert main(["energy", "egru-lm-wikitext2", "--target", "spinnaker2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["resources"]["chips"] == 1 and out["energy_per_inference_J"] > 0
    assert set(out["energy_by_layer_J"]) == {"egru1", "egru2", "egru3"}


def test_energy_bad_input_exits_2(capsys, tmp_path):
    assert main(["energy", "no-such-model"]) == 2
    assert "no zoo entry" in capsys.readouterr().err
    assert main(["energy", "egru-lm-wikitext2", "--activity", "1.5"]) == 2
    assert main(["energy", "egru-lm-wikitext2", "--target", "gpu-a100", "--dvfs", "pl1"]) == 2
    act = tmp_path / "act.json"
    act.write_text(json.dumps({"egru1": 0.1, "egru2": 0.1, "egru3": 0.1}))
    assert main(["energy", "egru-lm-wikitext2", "--activity", str(act)]) == 0
    assert main(["energy", "egru-lm-wikitext2", "--max-chips", "1"]) == 0


def test_profiles_commands(capsys, tmp_path):
    assert main(["profiles", "list"]) == 0
    assert "spinnaker2" in capsys.readouterr().out
    assert main(["profiles", "show", "imc-rram-40nm"]) == 0
    assert "ISAAC" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = "neurosim-hardware-profile"\nschema_version = 1\nname = "x"\nkind = "digital"\n')
    assert main(["profiles", "validate", str(bad)]) == 2
    assert "missing section" in capsys.readouterr().err


def test_nir_commands_round_trip_and_refusal(tmp_path, capsys):
    import jax

    import neurosim as ns
    from neurosim.io.nir import export_nir

    net = ns.Sequential([ns.Layer(ns.Dense(4, 6), ns.LIF(6, beta=0.9, reset="value"))])
    export_nir(net, net.init(jax.random.PRNGKey(0)), tmp_path / "n.nir")
    assert main(["import-nir", str(tmp_path / "n.nir"), "--target", "spinnaker2", "--steps", "20"]) == 0
    assert "target spinnaker2" in capsys.readouterr().out
    assert main(["export-nir", "egru-spoken-digits", str(tmp_path / "e.nir")]) == 2
    assert "NIR cannot express" in capsys.readouterr().err
    assert not (tmp_path / "e.nir").exists()
    (tmp_path / "bad.nir").write_bytes(b"garbage")
    assert main(["import-nir", str(tmp_path / "bad.nir")]) == 2


def test_datasets_command(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "spoken_digits" in out and "CC BY-SA 4.0" in out
