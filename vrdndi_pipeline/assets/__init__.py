"""Software-defined assets of vrdndi: thin wrappers around ``core``."""
