"""User interfaces of vrdndi (NiceGUI feed site, Streamlit labeller)."""
