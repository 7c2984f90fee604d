"""Load a data build script (sim/data/build/<name>.py) as a module, for tests."""

import importlib.util
from pathlib import Path
from types import ModuleType

BUILD_DIR = Path(__file__).resolve().parents[1] / "sim" / "data" / "build"


def load_build_script(name: str) -> ModuleType:
    """The build script ``sim/data/build/<name>.py``, imported under its own name."""
    spec = importlib.util.spec_from_file_location(name, BUILD_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
