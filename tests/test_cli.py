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


def test_bad_arguments_exit_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--seconds", "-3"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("neurosim simulate: error: argument --seconds")
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
    proc = subprocess.run([sys.executable, "-m", "neurosim", "demo", "--out", str(tmp_path), "--seconds", "0.05",
                           "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] in proc.stdout
    assert report["activity"]["layers"]["E"]["neuron_updates"] == 3200 * 500
    assert 1.0 < report["rates_hz"]["E"] < 100.0
