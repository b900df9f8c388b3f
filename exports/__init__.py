"""Everything that touches openpyxl: one module per sheet format, in and out."""
