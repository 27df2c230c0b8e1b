def count(path: str) -> int:
    return len(path)
