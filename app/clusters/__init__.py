"""Clusters: cases linked because they belong together (team, site, employer, incident)."""
