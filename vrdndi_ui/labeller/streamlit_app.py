"""The labeller's Streamlit script (``streamlit run`` this file; ``python -m vrdndi_ui.labeller``
does it with the right options). Streamlit runs it again on every click."""

from vrdndi_ui.labeller.labeller_page import render_page

render_page()
