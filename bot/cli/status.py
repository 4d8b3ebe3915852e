"""`citybot status`: placeholder replaced by the foundation work."""


def register(subparsers):
    """Not yet registered."""
