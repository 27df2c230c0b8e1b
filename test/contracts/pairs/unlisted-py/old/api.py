def get(url):
    return url


def check_versions(a, b):
    return a == b


class Adapter:
    def send(self, request):
        return request


def dropped():
    return None
