"""Renderers: pure functions from an analysis to the text or bytes of one output file."""
