import attr


@attr.s
class Settings:
    host = attr.ib()
    _port = attr.ib(default=8080)
    debug = attr.ib(default=False, kw_only=True)
    not_a_field = 3
