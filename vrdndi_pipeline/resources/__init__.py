"""Dagster resources: one per outside system, each with a real and a demo implementation."""
