def scale(x: float) -> int:
    return int(x)
