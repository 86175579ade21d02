"""``python -m vrdndi_ui.labeller``: start the labeller on http://127.0.0.1:8501.

Streamlit serves :mod:`vrdndi_ui.labeller.streamlit_app` on loopback only, headless, with its
usage statistics off, as the ASGI app of :mod:`vrdndi_ui.labeller.asgi_app`: behind the
Host/Origin check of :mod:`vrdndi_ui.local_origin`, which refuses requests that name another
host or come from another site. The database and data folder come from the ``VRDNDI_*``
variables.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from vrdndi_pipeline.core.private_files import private_dir
from vrdndi_pipeline.core.settings import SettingsError, load_settings
from vrdndi_ui.labeller.display_text import CALM
from vrdndi_ui.local_origin import (
    ENV_ALLOWED_HOSTS,
    add_allowed_host_argument,
    allowed_hosts,
)

APP_FILE = Path(__file__).with_name("asgi_app.py")  # the page behind the Host/Origin check
DEFAULT_PORT = 8501
ADDRESS = "127.0.0.1"


def streamlit_command(port: int) -> list[str]:
    """The ``streamlit run`` command line for the labeller on ``port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.address",
        ADDRESS,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.primaryColor",
        CALM,
    ]


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vrdndi_ui.labeller",
        description=(
            "Label the videos of your Google Takeout watch history as interesting or not. "
            "Serves a Streamlit page on http://127.0.0.1:PORT (loopback only). Labels go to "
            "the interest_labels table of VRDNDI_DATABASE_URL; the position is kept in "
            "VRDNDI_DATA_DIR/labeller-progress.json."
        ),
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    add_allowed_host_argument(parser, "the labeller")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()  # fail here, with the variable's name, not in the page
        names = allowed_hosts(ADDRESS, args.allowed_host)
    except (SettingsError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    private_dir(settings.data_dir)  # the labels' folder: this user only (0700)
    command = streamlit_command(args.port)
    extra = sorted(names - allowed_hosts(ADDRESS, environ={}))
    env = {**os.environ, ENV_ALLOWED_HOSTS: ",".join(extra)}
    sys.stderr.write(f"vrdndi labeller on http://{ADDRESS}:{args.port}\n")
    sys.stderr.flush()
    # Replace this process, so a signal to it reaches Streamlit directly.
    os.execve(command[0], command, env)
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    raise SystemExit(main())
