"""The errors coachnotes raises for things a user can cause.

Each carries a message for people that says what to do next. The command line turns them into
one line on stderr and exit code 1 (`SyncOffline` into 3); nothing here knows about click.
"""


class CoachnotesError(Exception):
    """Something the user can fix; the message says how."""

    exit_code = 1


class VaultNotFound(CoachnotesError):
    """No vault at or above the given folder."""


class UnknownClient(CoachnotesError):
    """A command named a client id that the vault does not have."""


class AmbiguousClient(UnknownClient):
    """A CLIENT that fits several clients: the message lists them (a usage error)."""

    exit_code = 2


class Refused(CoachnotesError):
    """A command would overwrite or damage something and did nothing."""


class SyncError(CoachnotesError):
    """Sync could not complete; the working tree is left as described in the message."""


class SyncOffline(SyncError):
    """Sync committed locally but could not reach the remote."""

    exit_code = 3
