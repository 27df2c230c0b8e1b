__all__ = ['public']


def public(a):
    return _helper(a, 2)


def _helper(a, b):
    return a + b


def not_exported():
    return 1
