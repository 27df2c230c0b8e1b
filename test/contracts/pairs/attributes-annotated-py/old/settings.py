from typing import ClassVar, Optional

TIMEOUT: float = 5.0
USER_AGENT: Optional[str] = None
_CACHE: dict = {}


class Session:
    retries: int = 3
    registry: ClassVar[dict] = {}
    proxy: str = ""

    @property  # type: ignore
    def closed(self) -> bool:
        return False

    @closed.setter
    def closed(self, value: bool) -> None:
        pass
