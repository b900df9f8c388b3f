"""eprc's Textual app: screens, widgets and the stylesheet. Thin over db/ and exports/."""
