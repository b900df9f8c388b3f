"""The command line's building blocks (eprc.py declares the commands with them)."""
