from html import parser as htmlparser


class Extractor(htmlparser.HTMLParser):
    def updatepos(self, i: int, j: int) -> int:
        if i >= j:
            return j
        return super().updatepos(i, j)

    def feed_all(self, chunks):
        for chunk in chunks:
            self.feed(chunk)

    def close(self):
        self.rawdata = ""
