"""ActivityWatch: where an incremental fetch starts, and what it writes (``ingest``)."""
