class Protocol:
    def __new__(cls, *args, **kwds):
        if cls is Protocol:
            raise TypeError("Protocol cannot be instantiated")
        return super().__new__(cls)


class Sized:
    def __new__(cls, size, *args, **kwargs):
        return super().__new__(cls)
