"""Exports: aggregate statistics for publication, protected against disclosure."""
