from dataclasses import KW_ONLY, dataclass


@dataclass
class Span:
    start: int
    end: int
    _: KW_ONLY
    inclusive: bool = False
    label: str = ""


@dataclass
class Labelled(Span):
    colour: str = "red"
