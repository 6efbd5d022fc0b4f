"""Where profiles and zoo entries are found: shipped folders, NEUROSIM_PROFILE_PATH / NEUROSIM_ZOO_PATH and
search_path= arguments (user folders first), and a clear error for a folder that does not exist."""

import pytest

from neurosim import resources
from neurosim.errors import ProfileError, ValidationError
from neurosim.hardware import list_profiles, load_profile
from neurosim.hardware.profile import PROFILE_DIR
from neurosim.zoo import ZOO_DIR, list_models, load_description

SHIPPED_PROFILES = {"spinnaker2", "imc-rram-40nm", "cpu-45nm-core", "cpu-45nm-horowitz", "gpu-a100"}


def _own_profile(folder, name="my-cpu"):
    text = (PROFILE_DIR / "cpu-45nm-horowitz.toml").read_text()
    (folder / f"{name}.toml").write_text(text.replace('name = "cpu-45nm-horowitz"', f'name = "{name}"'))


def test_shipped_folders_found():
    assert SHIPPED_PROFILES <= set(list_profiles())
    assert {"egru-spoken-digits", "egru-lm-wikitext2"} <= set(list_models())
    assert resources.shipped_dir("profiles") == PROFILE_DIR and resources.shipped_dir("zoo") == ZOO_DIR


def test_profile_path_from_environment_and_argument(tmp_path, monkeypatch):
    env_dir, arg_dir = tmp_path / "env", tmp_path / "arg"
    env_dir.mkdir()
    arg_dir.mkdir()
    _own_profile(env_dir, "env-cpu")
    _own_profile(arg_dir, "arg-cpu")
    with pytest.raises(ProfileError, match="env-cpu"):
        load_profile("env-cpu")
    monkeypatch.setenv("NEUROSIM_PROFILE_PATH", str(env_dir))
    assert load_profile("env-cpu").name == "env-cpu"
    assert {"env-cpu"} | SHIPPED_PROFILES <= set(list_profiles())
    assert "arg-cpu" not in list_profiles()
    assert load_profile("arg-cpu", search_path=arg_dir).name == "arg-cpu"
    assert "arg-cpu" in list_profiles(search_path=[arg_dir])


def test_user_folder_shadows_shipped(tmp_path, monkeypatch):
    text = (PROFILE_DIR / "gpu-a100.toml").read_text().replace("utilization = { value = 0.5",
                                                               "utilization = { value = 0.25")
    assert "0.25" in text
    (tmp_path / "gpu-a100.toml").write_text(text)
    monkeypatch.setenv("NEUROSIM_PROFILE_PATH", str(tmp_path))
    assert load_profile("gpu-a100").path.parent == tmp_path


def test_zoo_path(tmp_path, monkeypatch):
    text = (ZOO_DIR / "egru-lm-wikitext2.toml").read_text().replace('name = "egru-lm-wikitext2"', 'name = "my-lm"')
    (tmp_path / "my-lm.toml").write_text(text)
    monkeypatch.setenv("NEUROSIM_ZOO_PATH", str(tmp_path))
    assert "my-lm" in list_models()
    assert load_description("my-lm").name == "my-lm"


def test_missing_user_folder_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSIM_PROFILE_PATH", str(tmp_path / "nope"))
    with pytest.raises(ValidationError, match="NEUROSIM_PROFILE_PATH.*nope.*not a folder"):
        list_profiles()
    monkeypatch.delenv("NEUROSIM_PROFILE_PATH")
    with pytest.raises(ValidationError, match="search_path"):
        load_profile("spinnaker2", search_path=tmp_path / "nope")
