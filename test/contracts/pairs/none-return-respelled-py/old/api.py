import typing
from typing import Dict, List, Optional, Union


def find(name: str) -> Optional[str]:
    return name or None


def rows(n: int) -> typing.List[Dict[str, int]]:
    return [{"n": n}]


def parse(text: str) -> Union[int, float]:
    return float(text)
