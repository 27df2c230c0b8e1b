from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .sansio import Response as SansIOResponse
    from .wrappers import Response as WSGIResponse
    from .wrappers import Unrelated


def get_response() -> WSGIResponse | SansIOResponse:
    from .wrappers import Response

    return Response()


def wsgi_response() -> WSGIResponse:
    from .wrappers import Response

    return Response()


def other_response() -> Unrelated:
    from .wrappers import Unrelated

    return Unrelated()
