"""Report exports: rendering already-redacted report content for admins (PDF)."""
