"""Page scripts are Streamlit scripts, not modules: importing one (as --doctest-modules would) runs the page
against whatever store is configured and shadows stdlib names such as ``trace``. Keep pytest out of here."""
collect_ignore_glob = ["*.py"]
