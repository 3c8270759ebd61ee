"""Persistence: models, the engine and session factory, and the repositories that hold every query."""
