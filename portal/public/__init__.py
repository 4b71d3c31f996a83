"""Public side: no account needed."""
