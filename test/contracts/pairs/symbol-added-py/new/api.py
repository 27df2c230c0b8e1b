def a():
    pass


async def b(x, *args, **kwargs):
    pass
