"""求助 (Ctrl+O): the help-request desk."""
