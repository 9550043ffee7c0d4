"""Renderers: text, LaTeX, JSON and the LaTeX document.  No mathematics in here."""
