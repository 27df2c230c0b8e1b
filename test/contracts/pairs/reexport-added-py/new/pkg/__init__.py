import warnings

from .core import Source, run


def __getattr__(name):
    if name == "OldRunner":
        warnings.warn("OldRunner is deprecated", DeprecationWarning, stacklevel=2)
        from ._legacy import OldRunner

        return OldRunner
    raise AttributeError(name)
