"""Scenario and sweep files shipped inside the package, found with
:mod:`importlib.resources` so they work from an installed wheel as from the repository.

In the repository ``sim/scenarios`` is a link to the top-level ``scenarios/`` folder (the
one users edit and read); building a wheel copies the files into the package. A name
such as ``baseline`` resolves to ``sim/scenarios/baseline.yaml`` when no file of that
name exists, so ``vaxsim run baseline`` works from any folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sim.scenario.paths import suggest


def shipped_dir(kind: str = "scenario") -> Path:
    """The folder of shipped scenarios (``kind="scenario"``) or sweeps (``"sweep"``)."""
    root = Path(str(resources.files("sim") / "scenarios"))
    return root / "sweeps" if kind == "sweep" else root


def shipped_names(kind: str = "scenario") -> list[str]:
    """Names (file stems) of the shipped scenarios or sweeps, sorted."""
    return sorted(p.stem for p in shipped_dir(kind).glob("*.yaml"))


def find_file(name: str | Path, kind: str = "scenario") -> Path:
    """``name`` itself if it is a file, else the shipped file of that name.

    Raises
    ------
    FileNotFoundError
        With a one-line message listing the shipped names (and a did-you-mean).
    """
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    shipped = shipped_dir(kind) / f"{path.name}.yaml"
    if shipped.exists():
        return shipped
    names = shipped_names(kind)
    raise FileNotFoundError(f"{name}: no such file, nor a shipped {kind}{suggest(str(name), names)}"
                            f"; shipped: {', '.join(names)}")
