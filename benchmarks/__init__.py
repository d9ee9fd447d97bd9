"""Benchmarks: ``make bench`` runs each module in its own process; each prints JSON lines."""
