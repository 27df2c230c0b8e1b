__all__ = ["Markup", "escape"]

from ._native import Markup
try:
    from ._speedups import escape
except ImportError:
    from ._native import escape
