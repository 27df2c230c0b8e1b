def keep(x):
    return x
