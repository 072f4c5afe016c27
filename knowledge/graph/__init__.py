"""The knowledge graph: the GraphStore interface and its Neo4j adapter (the only Cypher in AMIA)."""
