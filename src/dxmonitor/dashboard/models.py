"""The dashboard keeps nothing of its own: it reads the analytics store, the targets and the scores."""
