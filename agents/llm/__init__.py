"""agents.llm."""
