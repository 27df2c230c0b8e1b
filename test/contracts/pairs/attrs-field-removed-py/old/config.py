from attrs import define, field


@define
class Client:
    url: str
    timeout: float = 10.0
    retries: int = field(default=2, kw_only=True)
