"""Fuzzing the profile loader (hypothesis): random bytes, and valid profiles with random fields deleted, retyped,
negated or set to NaN/inf, either load cleanly or raise ProfileError naming the file — never another exception."""

import copy
import math
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurosim.errors import ProfileError
from neurosim.hardware.profile import PROFILE_DIR, list_profiles, load_profile, parse_profile

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
DOCS = {name: tomllib.loads((PROFILE_DIR / f"{name}.toml").read_text()) for name in list_profiles()}


def _paths(node, prefix=()):
    """Every key path in a parsed TOML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))


BAD_VALUES = st.sampled_from([None, -1.0, 0.0, math.nan, math.inf, -math.inf, "fast", [], {}, True, -1e30, 1e300])


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_raise_profile_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "p.toml"
    path.write_bytes(data)
    try:
        load_profile(path)
    except ProfileError as exc:
        assert str(path) in str(exc)


@SETTINGS
@given(name=st.sampled_from(sorted(DOCS)), pick=st.integers(0, 10_000), value=BAD_VALUES,
       action=st.sampled_from(["delete", "replace"]))
def test_mutated_profiles_load_or_raise_profile_error(name, pick, value, action):
    doc = copy.deepcopy(DOCS[name])
    paths = list(_paths(doc))
    path = paths[pick % len(paths)]
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if action == "delete":
        del parent[path[-1]]
    elif value is None:
        return
    else:
        parent[path[-1]] = value
    try:
        prof = parse_profile(doc, f"{name}.toml")
    except ProfileError as exc:
        assert f"{name}.toml" in str(exc)
        return
    # it loaded: then every constant it holds is a finite number (no NaN/inf/negatives slipped through)
    for key, c in prof.constants.items():
        assert isinstance(c.value, (int, float)) and math.isfinite(c.value), key


@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_field_is_required_or_optional_by_design(name):
    """Deleting any single constant either fails naming it, or the loader documents a default."""
    doc = DOCS[name]
    for path in _paths(doc):
        if len(path) < 2 or not isinstance(_get(doc, path), dict) or "value" not in _get(doc, path):
            continue
        if path[0] == "defaults":  # [defaults] entries are optional by design: the option must then be given
            continue
        mutated = copy.deepcopy(doc)
        del _get(mutated, path[:-1])[path[-1]]
        with pytest.raises(ProfileError, match=path[-1]):
            parse_profile(mutated, f"{name}.toml")


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc
