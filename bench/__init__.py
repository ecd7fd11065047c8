"""The load benchmark: `make bench` (see README.md, "Benchmark", and docs/performance.md)."""
