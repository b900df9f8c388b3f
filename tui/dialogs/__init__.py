"""Every dialog (modal screen) a section opens: the form, the yes/no question, the file job."""
