"""knowledge.signals: business-event detection in text (pure: no I/O)."""
