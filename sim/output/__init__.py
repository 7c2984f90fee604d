"""Output: writing results folders, plots, the HTML report and comparisons."""
