"""The labeller's Streamlit page script; Streamlit runs it again on every click.

``python -m vrdndi_ui.labeller`` serves it through :mod:`vrdndi_ui.labeller.asgi_app` (the
Host/Origin check) with the right options; ``streamlit run`` on this file alone would serve it
without that check."""

from vrdndi_ui.labeller.labeller_page import render_page

render_page()
