"""Profile files: the shipped ones validate; bad files name the field."""

import copy
import tomllib

import pytest

from neurosim.errors import ProfileError
from neurosim.hardware.profile import PROFILE_DIR, list_profiles, load_profile, parse_profile


def test_shipped_profiles_load_and_cite_sources():
    names = list_profiles()
    assert {"spinnaker2", "imc-rram-40nm", "cpu-45nm-horowitz", "gpu-a100"} <= set(names)
    for name in names:
        prof = load_profile(name)
        assert prof.constants and all(c.source.strip() for c in prof.constants.values())
    s2 = load_profile("spinnaker2")
    assert s2["chip"]["pes_usable"] == 148 and s2["chip"]["sram_data_per_pe"] == 98304
    assert s2.dvfs("pl1")["frequency"] == 150e6 and s2.dvfs()["frequency"] == 300e6


def raw(name="spinnaker2"):
    return tomllib.loads((PROFILE_DIR / f"{name}.toml").read_text())


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d["chip"].pop("pes_usable"), r"chip: missing field\(s\) pes_usable"),
    (lambda d: d["chip"].__setitem__("pes_usabel", d["chip"]["pes_usable"]), r"unknown field\(s\) pes_usabel"),
    (lambda d: d["chip"]["sram_data_per_pe"].__setitem__("value", -1), r"chip.sram_data_per_pe: value must be > 0"),
    (lambda d: d["chip"]["dram_bandwidth"].__setitem__("unit", "GB/s"), r"chip.dram_bandwidth: unit must be 'B/s'"),
    (lambda d: d["chip"]["router_entries"].__setitem__("source", ""), r"chip.router_entries: source must be"),
    (lambda d: d["chip"]["router_entries"].__setitem__("value", "many"), r"router_entries: value must be a number"),
    (lambda d: d["chip"]["router_entries"].__setitem__("value", float("nan")), r"router_entries: value must be finite"),
    (lambda d: d.__setitem__("schema_version", 99), r"schema_version must be 1"),
    (lambda d: d.__setitem__("kind", "fpga"), r"kind must be one of"),
    (lambda d: d.pop("mac_array"), r"missing section \[mac_array\]"),
    (lambda d: d["dvfs"].__setitem__("pl9", {}), r"dvfs.pl9: missing field"),
])
def test_bad_profiles_name_the_field(mutate, match):
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(ProfileError, match=match):
        parse_profile(data, "my.toml")


def test_bad_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = [unclosed")
    with pytest.raises(ProfileError, match="bad.toml: not valid TOML"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="no such profile"):
        load_profile("no-such-target")
    own = tmp_path / "mine.toml"
    own.write_text((PROFILE_DIR / "cpu-45nm-horowitz.toml").read_text().replace('name = "cpu-45nm-horowitz"',
                                                                                  'name = "my-cpu"'))
    assert load_profile(own).name == "my-cpu"  # users can write their own profile files
