"""The Python API: ``sim.sweep(spec) -> SweepResults`` with DataFrames."""

from sweeps import METRICS, grid_spec, sweep_world


def test_sim_sweep_is_callable_and_returns_tables():
    import sim
    import sim.sweep.spec  # noqa: F401 - importing a submodule must not hide the callable

    res = sim.sweep(grid_spec(replicates=1), world=sweep_world())
    assert isinstance(res, sim.SweepResults)
    assert list(res.metrics.columns) == ["point", "replicate", "seed", *METRICS]
    assert len(res.points) == 12 and res.sensitivity is None
    summary = res.summary()
    assert len(summary) == 12 and "procurement.groups.HIC.multiple" in summary
    assert res.sensitivity_table().empty


def test_sobol_sweep_has_sensitivity():
    from sim import sweep

    spec = grid_spec(method="sobol", samples=8, parameters={
        "procurement.groups.HIC.multiple": {"low": 1, "high": 4},
        "uptake.hesitancy": {"low": 0.1, "high": 0.5}})
    res = sweep(spec, world=sweep_world())
    assert len(res.points) == 8 * 4 and len(res.metrics) == 32 * 2
    table = res.sensitivity_table()
    assert set(table["parameter"]) == set(spec.parameters)
    assert res.sensitivity["base_samples"] == 8
