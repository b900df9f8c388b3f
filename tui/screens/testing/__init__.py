"""核酸检测 (F12): whole-population testing rounds."""
