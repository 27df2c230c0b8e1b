from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .sansio import Response


def get_response() -> Response:
    from .wrappers import Response as WSGIResponse

    return WSGIResponse()


def wsgi_response() -> Response:
    from .wrappers import Response as WSGIResponse

    return WSGIResponse()


def other_response() -> Response:
    from .wrappers import Response as WSGIResponse

    return WSGIResponse()
