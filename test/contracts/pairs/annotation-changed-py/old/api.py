def scale(x: int) -> int:
    return x
