from typing import TypedDict


class _Options(TypedDict):
    timeout: int
    retries: int


def connect(o: _Options) -> None:
    pass
