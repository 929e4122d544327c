"""One module per command; each exposes plain functions that compute a Plan."""
