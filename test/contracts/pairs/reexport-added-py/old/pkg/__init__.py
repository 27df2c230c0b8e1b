from .core import run


class OldRunner:
    def start(self):
        pass
