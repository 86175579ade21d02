"""YouTube: what one ingest run asks the Data API for, and what it writes (``ingest``)."""
