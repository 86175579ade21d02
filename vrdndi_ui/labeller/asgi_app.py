"""The labeller as an ASGI app: the Streamlit page behind the Host/Origin check.

``python -m vrdndi_ui.labeller`` runs ``streamlit run`` on this file; Streamlit finds the
module-level ``App`` below and serves it with uvicorn, with the options it was given. The page
script itself is :mod:`vrdndi_ui.labeller.streamlit_app`. The names the server answers to are
the loopback names and those in ``VRDNDI_ALLOWED_HOSTS`` (see :mod:`vrdndi_ui.local_origin`).
"""

from pathlib import Path

from starlette.middleware import Middleware
from streamlit.starlette import App

from vrdndi_ui.local_origin import LocalOriginMiddleware, allowed_hosts

PAGE_SCRIPT = Path(__file__).resolve().with_name("streamlit_app.py")

app = App(
    str(PAGE_SCRIPT),
    middleware=[Middleware(LocalOriginMiddleware, allowed_hosts=allowed_hosts("127.0.0.1"))],
)
