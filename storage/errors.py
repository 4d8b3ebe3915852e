"""Named errors of the label store."""


class StorageError(Exception):
    """Base of every label-store error."""


class BadImage(StorageError):
    """The bytes are not an image citybot can use; the message says why, for the user."""


class UnknownCity(StorageError):
    """A name matched no active city."""


class DuplicateCity(StorageError):
    """A city or alias with that name already exists."""


class UnknownAccount(StorageError):
    """No stored user has that platform and id."""


class LinkError(StorageError):
    """Linking or unlinking accounts would make no sense (itself, a chain, a system source)."""
