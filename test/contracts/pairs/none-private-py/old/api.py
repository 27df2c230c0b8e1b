__all__ = ['public']


def public(a):
    return _helper(a)


def _helper(a):
    return a


def not_exported(x):
    return x


class _Hidden:
    def run(self):
        pass
