"""Renderers: the same simulated truth written as each source system exports it."""
