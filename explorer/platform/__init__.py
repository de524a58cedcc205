"""What belongs to the desktop rather than to the app: crash log and dialog, menu entry, language, settings."""
