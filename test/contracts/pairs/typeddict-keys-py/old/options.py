from typing import TypedDict
from typing_extensions import NotRequired


class Options(TypedDict):
    name: str
    verbose: bool
    colour: NotRequired[str]


class Extra(TypedDict, total=False):
    trace: bool
