"""Youtube."""
