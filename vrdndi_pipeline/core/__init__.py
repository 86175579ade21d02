"""Pure Python: records, parsing, features, model, training, scoring, store.

Nothing in here imports dagster, nicegui or streamlit, and nothing runs at import.
"""
