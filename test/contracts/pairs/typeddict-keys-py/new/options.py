from typing import TypedDict
from typing_extensions import NotRequired


class Options(TypedDict):
    name: str
    verbose: NotRequired[bool]


class Extra(TypedDict, total=False):
    trace: bool
    depth: int
