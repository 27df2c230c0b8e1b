import typing
from typing import Dict, List, Optional, Union


def find(name: str) -> str | None:
    return name or None


def rows(n: int) -> list[dict[str, int]]:
    return [{"n": n}]


def parse(text: str) -> float | int:
    return float(text)
