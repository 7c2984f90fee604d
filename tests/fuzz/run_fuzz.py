"""The long fuzz: ``make fuzz`` (``python tests/fuzz/run_fuzz.py --scenarios 10000``).

Runs cases of :func:`harness.check_case` (each a batch of about 4 random valid scenarios)
until ``--scenarios`` scenarios have been checked; prints a line every 500 scenarios and a
summary: scenarios, cases, schema rejections, violations (with the case number to replay:
``--first N --cases 1``). Exit 1 if any violation was found.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from fuzz.harness import check_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the long fuzz; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", type=int, default=10_000, help="scenarios to check")
    p.add_argument("--cases", type=int, help="stop after this many cases instead")
    p.add_argument("--first", type=int, default=100_000, help="number of the first case")
    p.add_argument("--batch", type=int, default=4, help="scenarios per batch")
    p.add_argument("--max-days", type=int, default=240, help="longest run drawn")
    p.add_argument("--det-every", type=int, default=5,
                   help="check same seed -> same bytes every this many cases")
    p.add_argument("--files-every", type=int, default=10,
                   help="save results with plots and report every this many cases")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")  # numpy warnings are not violations; results are
    t0 = time.perf_counter()
    scenarios = cases = refused = 0
    violations: list[str] = []
    next_report = 500
    case = args.first
    while scenarios < args.scenarios and (args.cases is None or cases < args.cases):
        n, r, problems = check_case(case, k=args.batch, det=cases % args.det_every == 0,
                                    max_days=args.max_days,
                                    files=cases % args.files_every == 0)
        scenarios, cases, refused = scenarios + n, cases + 1, refused + r
        violations += problems
        for line in problems:
            print(line, flush=True)
        if scenarios >= next_report:
            print(f"fuzz: {scenarios} scenarios, {cases} cases, {len(violations)} violations, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
            next_report += 500
        case += 1
    print(f"fuzz done: {scenarios} scenarios in {cases} cases (first case {args.first}), "
          f"{refused} draws refused by the schema, {len(violations)} violations, "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
