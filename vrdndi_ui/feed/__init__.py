"""vrdndi's feed site (NiceGUI): ``python -m vrdndi_ui.feed --help``.

Importing this package does nothing: no database connection, no folders, no NiceGUI import.
"""
