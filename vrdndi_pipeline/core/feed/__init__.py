"""The feed: candidates and context for a moment, encoded inputs on disk, ranking, fallbacks.

Pure functions and small dataclasses; the Dagster assets ``encoded_inference_tensors`` and
``feed_predictions`` wire them to the database, MLflow and the clock.
"""
