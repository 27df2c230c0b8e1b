def save(doc):
    """Save a document."""
