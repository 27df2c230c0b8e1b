from dataclasses import dataclass


class _Retry:
    attempts: int = 3

    def backoff(self, attempt: int, jitter: float) -> float:
        return 0.1 * attempt


@dataclass
class _Config:
    retry: _Retry
    verbose: bool = False


def configure(config: _Config) -> None:
    pass
