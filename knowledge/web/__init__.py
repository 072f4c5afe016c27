"""knowledge.web."""
