from typing import TypedDict


class _Options(TypedDict):
    timeout: int



def connect(o: _Options) -> None:
    pass
