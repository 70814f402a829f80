"""Test doubles shared by tests/ and bench/: loopback fakes of every external service, analysis factories, a sample article.

Not part of the installed package; import it from the repository root (pytest
and ``python -m bench.NAME`` both put the root on sys.path).
"""
