"""Training as the pipeline runs it: when to train (:mod:`.trigger`)."""
