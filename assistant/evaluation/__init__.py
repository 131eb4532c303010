"""Evaluation: run a gold dataset through the same path as ``ask`` and score it."""
