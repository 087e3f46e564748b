"""Gazetteer and name lists (a package so setuptools ships the data files)."""
