"""One module per section of the app."""

from pathlib import Path

# every section screen's CSS_PATH: read once, when the first section opens (not at start-up)
SECTIONS_CSS = Path(__file__).parent / "sections.tcss"
