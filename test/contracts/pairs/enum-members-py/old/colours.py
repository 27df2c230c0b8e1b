import enum


class Colour(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3

    def describe(self):
        return self.name
