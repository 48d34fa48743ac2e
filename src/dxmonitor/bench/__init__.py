"""Benchmarks run by `dxmonitor bench …`: each measures a product path against a naive baseline
in the same process (machines are noisy; ratios travel, absolute figures less so)."""
