def count(path: str) -> str:
    return str(len(path))
