def shim(a):
    return a


def hidden(a, b):
    return a
