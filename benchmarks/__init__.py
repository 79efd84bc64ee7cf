"""Benchmarks: speed and memory goals measured as ratios in one run, never asserted in tests.

Run them all with ``python -m benchmarks`` (or ``nox -s bench``); one with
``python -m benchmarks parse``.
"""
