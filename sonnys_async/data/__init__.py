"""Bundled sample CSVs: ``sample_hires.csv`` (50 hires) and ``sample_leavers.csv``."""
