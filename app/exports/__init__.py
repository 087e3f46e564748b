"""Exports: redacted reports handed to recipients as signed BagIt bundles.

A bundle can be checked with stock tools only (``minisign`` and
``sha256sum``), so its recipient does not depend on this software.
"""
