"""Takeout."""
