import collections
from typing import NamedTuple


class Size(NamedTuple):
    width: int
    height: int


Version = collections.namedtuple("Version", ["major", "minor", "patch"])
