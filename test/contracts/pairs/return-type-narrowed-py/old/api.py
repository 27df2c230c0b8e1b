from typing import Optional


def find(name: str) -> Optional[str]:
    return name or None
