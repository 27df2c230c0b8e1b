from typing import ClassVar

TIMEOUT: int = 5
USER_AGENT: str | None = None


class Session:
    retries: int = 3
    registry: dict = {}

    @property  # type: ignore
    def closed(self) -> bool:
        return False
