class Protocol:
    def __init_subclass__(cls, *args, **kwargs):
        super().__init_subclass__(*args, **kwargs)


class Sized:
    def __new__(cls, size):
        return super().__new__(cls)
