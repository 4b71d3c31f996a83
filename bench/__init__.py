"""Performance benchmark harness (NFR PERF-1..9): `make bench`, `python -m bench.run`."""
