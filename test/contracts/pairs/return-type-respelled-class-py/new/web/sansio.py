class Response:
    status: int = 200
