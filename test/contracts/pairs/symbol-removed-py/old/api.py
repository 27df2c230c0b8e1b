def keep(x):
    return x


def count():
    return 1
