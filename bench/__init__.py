"""Benchmarks (`make bench`): each writes its figures into one JSON file."""
