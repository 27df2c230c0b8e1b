# comment
def add(
    a,  # first
    b: 'list[int]' = None,
) -> int:
    """Add."""
    total = a
    return total
