__all__ = ["Markup", "escape"]

from .core import Markup, escape
