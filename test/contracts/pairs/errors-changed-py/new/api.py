def load(path):
    """Load.

    :raises PermissionError: when unreadable
    """
