import attrs


@attrs.define
class Settings:
    host = attrs.field()
    _port = attrs.field(default=8080)
    debug = attrs.field(default=False, kw_only=True)
    not_a_field = 3
