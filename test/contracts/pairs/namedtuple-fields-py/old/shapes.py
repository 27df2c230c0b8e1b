import collections
from typing import NamedTuple


class Size(NamedTuple):
    width: int
    height: int
    depth: int = 1


Version = collections.namedtuple("Version", "major minor patch", defaults=(0,))
