"""Calibration: fit scenario parameters to observed 2021 figures (``vaxsim calibrate``)."""
