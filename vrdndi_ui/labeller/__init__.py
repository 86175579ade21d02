"""The Streamlit labeller: mark videos of the Takeout watch history as interesting or not.

Start it with ``python -m vrdndi_ui.labeller`` (``make label``). Labels go to the
``interest_labels`` table; the position to ``<data dir>/labeller-progress.json``.
"""
