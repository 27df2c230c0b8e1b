import enum


class Colour(enum.Enum):
    RED = 1
    GREEN = 20

    def describe(self):
        return self.name
