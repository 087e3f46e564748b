"""Cross-cutting protections shared by several blueprints (rate limits)."""
