from ._compat import shim as shim
from .core import Command, Group
from .helpers import *
