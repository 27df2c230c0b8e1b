def greet(name, *, loud=False):
    return name
