import dataclasses
from typing import ClassVar


@dataclasses.dataclass
class Retry:
    attempts: int
    backoff: float = 0.5
    registry: ClassVar[dict] = {}
