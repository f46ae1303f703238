"""Benchmarks and load tests (never part of the test suite): `./dev bench NAME [ARGS]`."""
