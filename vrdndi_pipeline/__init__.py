"""vrdndi: a local-first personal YouTube feed, as a Dagster data + ML pipeline."""
