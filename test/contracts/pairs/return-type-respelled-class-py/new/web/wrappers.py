from .sansio import Response as _SansIOResponse


class Response(_SansIOResponse):
    pass


class Unrelated:
    pass
