"""A command line that finishes the job: fast --help, defaults shown, resumable training that never overwrites
silently, `simulate MODEL` for zoo entries / descriptions / NIR files, quiet broken pipes, missing extras named."""

import argparse
import json
import os
import subprocess
import sys
import time

import pytest

from neurosim.cli import _Formatter, build_parser, main

ENV = {**os.environ, "JAX_PLATFORMS": "cpu"}


def test_help_is_fast_and_starts_no_jax():
    code = "import sys, neurosim.cli as c; c.build_parser(); print('jax' in sys.modules, 'brainpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True).stdout
    assert out.split() == ["False", "False"]
    best = min(_wall([sys.executable, "-m", "neurosim", "--help"]) for _ in range(3))
    assert best < 1.0, f"neurosim --help took {best:.2f} s"


def _wall(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=ENV, check=True)
    return time.perf_counter() - t0


def _subparsers():
    return build_parser()._subparsers._group_actions[0].choices


def test_every_help_shows_defaults():
    for name, sub in _subparsers().items():
        fmt = _Formatter(f"neurosim {name}")
        for action in sub._actions:
            if action.default in (None, False, argparse.SUPPRESS) or action.nargs == 0:
                continue
            text = fmt._get_help_string(action)
            assert "default" in text, (name, action.dest)
    assert "(default: 0.003)" in _subparsers()["train"].format_help()


def test_simulate_zoo_description_and_nir(tmp_path, capsys):
    assert main(["simulate", "egru-spoken-digits", "--steps", "5", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "trained" and out["steps"] == 5
    assert out["activity"]["layers"]["layer0"]["n_neurons"] == 128

    assert main(["simulate", "egru-lm-wikitext2", "--steps", "2", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "description" in text and "random weights" in text and "1350 neurons" in text


def test_simulate_nir_file(tmp_path, capsys):
    pytest.importorskip("nir")
    import jax

    import neurosim as ns
    from neurosim.io.nir import export_nir

    net = ns.Sequential([ns.Layer(ns.Dense(6, 5), ns.LIF(5, beta=0.9, v_th=0.3, reset="value", reset_delay=False))])
    path = tmp_path / "tiny.nir"
    export_nir(net, net.init(jax.random.PRNGKey(0)), path)
    assert main(["simulate", str(path), "--steps", "20", "--input-rate", "0.5", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "nir" and out["activity"]["layers"]["layer0"]["n_neurons"] == 5


def test_simulate_refuses_bad_model(capsys):
    assert main(["simulate", "no-such-model", "--quiet"]) == 2
    assert "no zoo entry" in capsys.readouterr().err


def test_train_refuses_overwrite_and_resumes(tmp_path, capsys):
    ckpt = tmp_path / "run.h5"
    base = ["train", "--model", "gru", "--hidden", "8", "--small", "--quiet", "--checkpoint", str(ckpt)]
    assert main(base + ["--epochs", "1", "--seed", "4"]) == 0
    assert ckpt.exists()
    first = ckpt.read_bytes()
    capsys.readouterr()

    assert main(base + ["--epochs", "2"]) == 2  # exists: neither --resume nor --overwrite
    assert "--resume" in capsys.readouterr().err and ckpt.read_bytes() == first  # nothing lost

    assert main(base + ["--epochs", "2", "--resume"]) == 0  # trains epoch 2 only, with the checkpoint's seed
    cap = capsys.readouterr()
    assert "gru: 2 epochs" in cap.out and "checkpoint's seed 4" in cap.err
    assert ckpt.read_bytes() != first

    assert main(base + ["--epochs", "2", "--resume"]) == 0
    assert "nothing to do" in capsys.readouterr().out

    assert main(base + ["--epochs", "1", "--overwrite", "--seed", "5"]) == 0
    assert "gru: 1 epochs" in capsys.readouterr().out

    assert main(["train", "--resume", "--small", "--quiet"]) == 2
    assert "--checkpoint" in capsys.readouterr().err


def test_broken_pipe_ends_quietly():
    proc = subprocess.run(f"{sys.executable} -m neurosim profiles show spinnaker2 | head -n 1", shell=True,
                          capture_output=True, text=True, env=ENV, executable="/bin/bash")
    assert proc.returncode == 0
    assert proc.stdout.startswith("spinnaker2")
    assert "error" not in proc.stderr.lower(), proc.stderr


def test_missing_extra_is_named(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "nir", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "neurosim.io.nir", raising=False)
    f = tmp_path / "x.nir"
    f.write_bytes(b"not read")
    assert main(["import-nir", str(f)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'neurosim[nir]'" in err and "internal error" not in err


def test_profiles_list_with_no_profiles_is_an_error(monkeypatch, capsys):
    from neurosim import resources

    monkeypatch.setattr(resources, "shipped_dir", lambda kind: None)
    assert main(["profiles", "list"]) == 2
    assert "no hardware profiles found" in capsys.readouterr().err
