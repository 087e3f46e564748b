"""Backups: one sealed archive of the database and the blob store, verified and restored."""
