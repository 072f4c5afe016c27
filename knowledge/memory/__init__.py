"""knowledge.memory."""
