from dataclasses import dataclass, field


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str = "origin"
    tags: list = field(default_factory=list)
