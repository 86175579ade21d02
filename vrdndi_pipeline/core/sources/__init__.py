"""Where the data comes from: one folder per outside source, each with what an ingest decides."""
