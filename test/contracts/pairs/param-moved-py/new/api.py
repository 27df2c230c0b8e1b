def span(end, start):
    return end - start
