"""`vaxsim viz` command line: localhost, options passed on, the offline asset cache."""

import pytest
from worlds import SCENARIOS


def test_viz_command_serves_on_localhost_with_the_asset_cache(tmp_path, monkeypatch):
    from sim.cli.commands.viz import viz_command

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("SOLARA_ASSETS_PROXY_CACHE_DIR", raising=False)
    cmd, env = viz_command("scenarios/baseline.yaml", 9000, days=30, sets=["a.b=1", "c=2"])
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "9000"
    assert "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env
    assert env["VAXSIM_VIZ_DAYS"] == "30" and env["VAXSIM_VIZ_SETS"] == "a.b=1;c=2"
    (tmp_path / "vaxsim" / "solara-assets").mkdir(parents=True)
    _, env = viz_command("scenarios/baseline.yaml", 9000)
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path / "vaxsim" / "solara-assets")


@pytest.mark.parametrize("countries", ["XYZ", ","])
def test_bad_countries_refused_before_any_server(countries, capsys):
    from sim.cli.main import main

    code = main(["viz", str(SCENARIOS / "baseline.yaml"), "--countries", countries])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--countries" in err
