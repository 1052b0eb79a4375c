"""The benchmarks (not tests): `.venv/bin/python -m bench.site`, then each chapter's script.

bench/harness.py is what they share; see bench/README.md.
"""
