from html import parser as htmlparser


class Extractor(htmlparser.HTMLParser):
    def feed_all(self, chunks):
        for chunk in chunks:
            self.feed(chunk)
