"""Benchmarks that print tables: run each as `python -m bench.NAME` from the repository root (`make bench` runs all)."""
