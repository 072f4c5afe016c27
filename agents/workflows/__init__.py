"""agents.workflows."""
