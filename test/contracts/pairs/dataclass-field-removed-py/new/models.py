from dataclasses import dataclass, field


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    tags: list = field(default_factory=list)
