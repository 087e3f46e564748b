"""Session-bound unlocking of members' keys (brief, decision 5)."""
