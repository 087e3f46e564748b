"""Grants: an admin gives or takes a member's access to cases."""
