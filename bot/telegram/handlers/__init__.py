"""Thin handlers: read the update, call a service, answer. Grouped by what the runner is doing."""
