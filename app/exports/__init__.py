"""Redacted exports: what of a case may leave the organisation, and in what form."""
