def fetch(url, *, retries=3, timeout=10):
    return url
