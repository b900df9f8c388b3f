"""求助 (Ctrl+O): the help-request desk (requests.py) and its dialogs (dialogs.py)."""
