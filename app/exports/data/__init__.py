"""Export gazetteers (a package so setuptools ships the data files)."""
