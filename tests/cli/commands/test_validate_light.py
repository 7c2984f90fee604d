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
