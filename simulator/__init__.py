"""Synthetic CRM and marketing exports rendered from one simulated ground truth (see `generate`)."""

from .api import FORMATS, GenerationSummary, generate

__all__ = ["FORMATS", "GenerationSummary", "generate"]
