__all__ = ["echo"]


def echo(message, file=None):
    pass


def not_starred(x):
    return x
