"""eprc's domain: models, validation and one function per user operation. No UI, no openpyxl."""
