"""Members of an organisation: invitations, suspension, removal and settings."""
