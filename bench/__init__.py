"""Benchmarks (`make bench`): measured, never timed tests."""
