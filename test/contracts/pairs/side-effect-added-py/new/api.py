def save(doc):
    """Save a document.

    @sideEffect filesystem
    """
