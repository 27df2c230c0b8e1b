def add(a, b: 'list[int]' = None) -> int:
    return a
