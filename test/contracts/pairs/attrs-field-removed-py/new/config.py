from attrs import define, field


@define
class Client:
    url: str
    timeout: float
    verify: bool = field(default=True, kw_only=True)
