"""Shipped tables as numpy columns equal pandas' reading of the same files."""

import numpy as np
import pandas as pd
import pytest

from sim.data import DATA_DIR
from sim.world.tables import columns, row_of

FILES = ["countries.csv", "producers.csv", "production.csv", "products.csv",
         "product_mix.csv", "age_bands.csv", "prior_immunity.csv", "blocs.csv", "ties.csv"]


@pytest.mark.parametrize("name", FILES)
def test_columns_equal_pandas(name):
    frame = pd.read_csv(DATA_DIR / name, keep_default_na=False, na_values=[""])
    cols = columns(name)
    assert list(cols) == list(frame.columns)
    for key, got in cols.items():
        want = frame[key]
        if got.dtype.kind == "f":  # bit for bit, NaN where the cell is empty
            ref = want.to_numpy(dtype=float)
            assert np.array_equal(got, ref, equal_nan=True), key
            assert got[~np.isnan(got)].tobytes() == ref[~np.isnan(ref)].tobytes(), key
        else:
            assert [g if g else None for g in got.tolist()] == \
                [w if isinstance(w, str) else None for w in want.tolist()], key


def test_columns_are_read_only_and_rows_indexed():
    cols = columns("countries.csv")
    with pytest.raises(ValueError):
        cols["population"][0] = 1.0
    at = row_of("countries.csv", "iso3")
    assert cols["iso3"][at["FRA"]] == "FRA"
