"""Retention rules, legal holds and crypto-shredding of cases."""
