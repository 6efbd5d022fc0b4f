"""Build step that ships the repository's data folders inside the wheel.

``hardware_profiles/`` and ``models/`` at the repository root are the source of truth; a wheel (or a non-editable
install) gets copies under ``neurosim/_shipped/``, which :mod:`neurosim.resources` reads through
:mod:`importlib.resources`. Editable installs and source checkouts read the top-level folders directly.
All metadata lives in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"hardware_profiles": ("*.toml",), "models": ("*.toml", "*.md", "*.h5")}


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the top-level folders in place
            return
        for folder, patterns in SHIPPED.items():
            src = ROOT / folder
            if not src.is_dir():
                raise SystemExit(f"setup.py: {src} is missing; a wheel without it would ship no "
                                 f"{'hardware profiles' if folder == 'hardware_profiles' else 'model zoo'}")
            dst = Path(self.build_lib) / "neurosim" / "_shipped" / folder
            dst.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for f in sorted(src.glob(pattern)):
                    shutil.copy2(f, dst / f.name)


setup(cmdclass={"build_py": BuildPyWithData})
