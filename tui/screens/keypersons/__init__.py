"""重点人员 (F3): the key persons and their temperature rounds."""
