"""Capacity planning: what a cluster or a namespace can take, above the scheduler's one-pod view."""
