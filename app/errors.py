"""Domain errors shared by services, mapped to HTTP responses in app.web."""


class PermissionDenied(Exception):
    """The member's role or organisation does not allow this."""


class NotFound(Exception):
    """No such object in the member's organisation (never says whether it exists elsewhere)."""


class NoKeyAccess(Exception):
    """The case key is not wrapped to this member: cryptographically unreadable for them."""


class TamperedCase(Exception):
    """A case's stored ciphertext or receipt differs from what was signed at intake."""


class TransitionRefused(Exception):
    """The case cannot move to that status from where it is, or not by this member."""
