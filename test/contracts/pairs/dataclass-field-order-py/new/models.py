from dataclasses import KW_ONLY, dataclass


@dataclass
class Span:
    end: int
    start: int
    _: KW_ONLY
    label: str = ""
    inclusive: bool = False


@dataclass
class Labelled(Span):
    colour: str = "red"
