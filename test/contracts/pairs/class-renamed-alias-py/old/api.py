class Parser:
    def __init__(self, strict: bool = False) -> None:
        self.strict = strict


class Lexer:
    pass


def make_parser() -> Parser:
    return Parser()


def make_lexer() -> Lexer:
    return Lexer()
