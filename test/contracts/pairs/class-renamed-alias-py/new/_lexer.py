class Lexer:
    pass
