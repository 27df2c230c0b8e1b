import warnings


class _Parser:
    def __init__(self, strict: bool = False) -> None:
        self.strict = strict


class _Tokens:
    pass


def make_parser() -> _Parser:
    return _Parser()


def make_lexer() -> _Tokens:
    return _Tokens()


def __getattr__(name: str) -> object:
    if name == "Parser":
        warnings.warn("'Parser' is deprecated; the class is private now", DeprecationWarning, stacklevel=2)
        return _Parser
    if name == "Lexer":
        from ._lexer import Lexer

        return Lexer
    raise AttributeError(name)
