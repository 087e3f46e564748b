"""The one exception every failure in :mod:`crypto` raises."""


class CryptoError(Exception):
    """Decryption, parsing or key handling failed.

    The message never contains key material or plaintext. Callers treat every
    instance the same way: the data is unreadable with what they hold (wrong
    key, wrong passphrase, tampered or truncated ciphertext, malformed input).
    """
