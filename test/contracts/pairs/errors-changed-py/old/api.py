def load(path):
    """Load.

    @throws FileNotFoundError
    """
