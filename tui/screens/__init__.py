"""One module per section of the app."""
