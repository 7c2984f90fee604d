"""Load a script as a module, for tests: a data build script (sim/data/build/<name>.py)
or one of the project's scripts (scripts/<name>.py)."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "sim" / "data" / "build"
SCRIPTS_DIR = ROOT / "scripts"


def load_script(path: Path) -> ModuleType:
    """The Python file ``path``, imported under its stem's name."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_build_script(name: str) -> ModuleType:
    """The build script ``sim/data/build/<name>.py``, imported under its own name."""
    return load_script(BUILD_DIR / f"{name}.py")
