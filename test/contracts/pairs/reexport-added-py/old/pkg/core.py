class Source:
    def describe(self):
        return "source"


def run(source):
    pass
