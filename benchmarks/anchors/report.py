"""The ratios ``make bench`` prints: vaxsim beside the anchors measured in the same session.

Each figure is (min, median) seconds of one benchmark; a ratio is given as
min-over-min / median-over-median, and every target of the speed goals is listed with the
figures it is judged on, whether or not it is met.
"""

from __future__ import annotations


def _pair(figures: dict, a: str, b: str) -> tuple[float, float] | None:
    if a in figures and b in figures:
        return (figures[a]["min"] / figures[b]["min"],
                figures[a]["median"] / figures[b]["median"])
    return None


def ratio_lines(figures: dict[str, dict[str, float]]) -> list[str]:
    """Human-readable lines: each figure, then each ratio against its target."""
    out = [f"{name:<34} min {f['min'] * 1e3:9.1f} ms   median {f['median'] * 1e3:9.1f} ms"
           for name, f in sorted(figures.items())]

    def line(label: str, pair: tuple[float, float] | None, target: str) -> None:
        if pair is not None:
            out.append(f"{label:<52} {pair[0]:7.2f} / {pair[1]:7.2f}   (target {target})")

    line("toy / sim.run(baseline) E=1 [x faster]", _pair(figures, "mesa_toy", "vaxsim_run_e1"),
         ">= 16")
    line("toy / engine E=1 [x faster]", _pair(figures, "mesa_toy", "vaxsim_engine_e1"), "-")
    for name in ("vaxsim_engine_e256", "vaxsim_run_e256", "vaxsim_run_e256_no_twins",
                 "vaxsim_run_e256_2_workers"):
        if name in figures and "floor_e256" in figures:
            cd = figures[name]["country_days"]
            floor_cd = figures["floor_e256"]["country_days"]
            mins = (cd / figures[name]["min"]) / (floor_cd / figures["floor_e256"]["min"])
            meds = (cd / figures[name]["median"]) / (floor_cd / figures["floor_e256"]["median"])
            line(f"{name} country-days/s / numpy floor's", (mins, meds), ">= 0.8")
            out.append(f"{'  ' + name + ' M country-days/s':<52} "
                       f"{cd / figures[name]['min'] / 1e6:7.1f} / "
                       f"{cd / figures[name]['median'] / 1e6:7.1f}   (target >= 20)")
    for suffix, target in (("", "<= 1.1, 10k <= 3 s"), ("_no_epidemic", "-")):
        big = figures.get(f"scale_10000_regions{suffix}", {})
        if "cost_exponent" in big:
            out.append(f"{'scale 3k -> 10k cost exponent' + suffix:<52} "
                       f"{big['cost_exponent']:7.2f}   (target {target}; 10k "
                       f"{big['min']:.1f} s, peak RSS {big['peak_rss_gb']:.2f} GB)")
            if "cost_exponent_cpu" in big:
                out.append(f"{'  same, thread CPU' + suffix:<52} "
                           f"{big['cost_exponent_cpu']:7.2f}   (10k {big['cpu_min']:.1f} s CPU)")
    out.extend(ceiling_lines(figures))
    line("members one by one / batched [x]",
         _pair(figures, "members_one_by_one", "members_batched"), ">= 20")
    line("members one by one / in cache-sized chunks [x]",
         _pair(figures, "members_one_by_one", "members_chunked"), "-")
    return out


#: The E=256 figures set beside the memory ceiling, and whether twins ran in them.
_E256_TWINS = {"vaxsim_engine_e256": False, "vaxsim_run_e256": True,
               "vaxsim_run_e256_no_twins": False}


def ceiling_lines(figures: dict[str, dict[str, float]]) -> list[str]:
    """Each implementation's share of its memory ceiling (:mod:`benchmarks.anchors.ceiling`):
    country-days per second over this session's streaming bandwidth divided by the bytes
    its country-day reads and writes; vaxsim's also over the floor's share.
    """
    stream = figures.get("stream_cache")
    if stream is None:
        return []
    bandwidth = (stream["bytes"] / stream["min"], stream["bytes"] / stream["median"])
    out = [f"{'streaming bandwidth, cache-sized array':<52} "
           f"{bandwidth[0] / 1e9:7.1f} / {bandwidth[1] / 1e9:7.1f} GB/s"]

    def shares(name: str, per_cd: float) -> tuple[float, float]:
        cd = figures[name]["country_days"]
        return (cd / figures[name]["min"] / (bandwidth[0] / per_cd),
                cd / figures[name]["median"] / (bandwidth[1] / per_cd))

    floor = None
    if "floor_e256" in figures:
        floor = shares("floor_e256", stream["floor_bytes"])
        out.append(f"{'numpy floor, share of its memory ceiling':<52} "
                   f"{floor[0]:7.3f} / {floor[1]:7.3f}   "
                   f"({stream['floor_bytes']:.0f} B/country-day)")
    for name, twins in _E256_TWINS.items():
        if name not in figures:
            continue
        per_cd = stream["vaxsim_bytes"] * (2 if twins else 1)
        own = shares(name, per_cd)
        versus = (f", {own[0] / floor[0]:.2f} / {own[1] / floor[1]:.2f}x the floor's share"
                  if floor else "")
        out.append(f"{'  ' + name + ', share of its ceiling':<52} {own[0]:7.3f} / "
                   f"{own[1]:7.3f}   ({per_cd:.0f} B/country-day, ceiling "
                   f"{bandwidth[0] / per_cd / 1e6:.1f} M/s{versus})")
    return out
