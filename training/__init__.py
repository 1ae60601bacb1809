"""Training: synthetic data, the Tool RAG classifier and the planner (later issues)."""
