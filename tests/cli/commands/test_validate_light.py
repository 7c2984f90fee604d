"""``vaxsim validate`` stays light: it loads neither pandas, numpy nor the engine."""

import json
import subprocess
import sys

from worlds import SCENARIOS


def test_validate_imports_no_pandas_numpy_or_engine():
    code = ("import sys, json; from sim.cli.main import main; "
            f"rc = main(['validate', {str(SCENARIOS / 'baseline.yaml')!r}]); "
            "print(json.dumps([rc, sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('pandas', 'numpy', 'scipy', 'mesa', 'numba') "
            "or m.startswith('sim.engine'))]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    rc, heavy = json.loads(out)
    assert rc == 0
    assert heavy == []


def _modules_after(argv: list[str]) -> list[str]:
    """The ``sim.cli.commands.*`` modules loaded after ``main(argv)`` in a new process."""
    code = ("import sys, json, contextlib, io; from sim.cli.main import main\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main({argv!r})\n"
            "print(json.dumps(sorted(m for m in sys.modules "
            "if m.startswith('sim.cli.commands.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def test_validate_registers_only_its_own_command():
    assert _modules_after(["validate", str(SCENARIOS / "baseline.yaml")]) == [
        "sim.cli.commands.validate"]


def test_help_and_unknown_commands_register_every_command():
    from sim.cli.main import COMMANDS

    every = sorted(set(COMMANDS.values()))
    assert _modules_after(["--help"]) == every
    assert _modules_after(["-h", "run"]) == every
    assert _modules_after(["nosuchcommand"]) == every


def test_every_command_name_is_registered_by_its_module():
    import argparse
    import importlib

    from sim.cli.main import COMMANDS

    for name, module in COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert name in sub.choices, (name, module)


def test_validate_checks_sweep_files_as_sweeps(tmp_path, capsys):
    from sim.cli.main import main

    sweeps = SCENARIOS / "sweeps"
    assert main(["validate", str(sweeps / "donor_regimes.yaml"),
                 str(sweeps / "sensitivity.yaml")]) == 0
    out = capsys.readouterr().out
    assert "donor_regimes.yaml: ok (sweep donor_regimes: grid, 4 points × 24 replicate(s); " \
           "contrast of donation.groups.HIC.share)" in out
    assert "sensitivity.yaml: ok (sweep sensitivity: sobol" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text((sweeps / "donor_regimes.yaml").read_text().replace(
        "base: ../baseline.yaml", f"base: {SCENARIOS / 'baseline.yaml'}").replace(
        "  treatment: 1.0", "  treatment: 0.5"))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "contrast.treatment: 0.5 is not one of donation.groups.HIC.share's values" in err
    assert err.count("\n") == 1
    assert main(["validate", str(sweeps / "sensitivity.yaml"), "--set", "days=30"]) == 2
    assert "--set applies to scenario files" in capsys.readouterr().err
