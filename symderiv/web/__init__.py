"""The page ``symderiv serve`` shows (index.html), kept as package data."""
