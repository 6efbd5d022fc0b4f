"""Each published measurement stays inside the band docs/validation.md states: a change to a profile constant that
breaks agreement with measured hardware fails here."""

import pytest

from neurosim.hardware.validation import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_prediction_inside_stated_band(case):
    lo, hi = case.band
    assert lo <= case.ratio() <= hi, f"{case.key}: predicted/measured {case.ratio():.3f} outside {case.band}"


def test_calibration_cases_close_and_validation_cases_say_what_is_missing():
    for c in CASES:
        assert c.role in ("calibration", "validation") and c.source
        if c.role == "calibration":
            assert c.ratio() == pytest.approx(1.0, abs=0.01), c.key  # the derivation closes
        elif not 0.5 <= c.ratio() <= 2.0:
            assert c.missing, f"{c.key}: a ratio beyond 2x must name the missing effect"
    assert sum(c.role == "validation" for c in CASES) >= 6


def test_docs_list_every_case_with_its_ratio():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text()
    for c in CASES:
        assert f"`{c.key}`" in doc and f"{c.ratio():.2f}" in doc, c.key
