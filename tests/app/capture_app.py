"""The app behind a WSGI middleware that keeps every request body it receives.

For the in-browser sealing test: whatever the page sends, the server got it
through ``wsgi.input``, so a canary that is nowhere in these files never
reached the application (gunicorn serves ``capture_app:create()``; the files
go to ``WITNESSBOX_TEST_CAPTURE_DIR``, one per request).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from app import create_app

_counter = itertools.count()


class _Tee:
    def __init__(self, inner: IO[bytes], sink: IO[bytes]) -> None:
        self._inner = inner
        self._sink = sink

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._sink.write(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._inner.readline(size)
        self._sink.write(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


def create() -> Callable[..., Iterable[bytes]]:
    app = create_app()
    folder = Path(os.environ["WITNESSBOX_TEST_CAPTURE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    inner = app.wsgi_app

    def capture(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = folder / f"{os.getpid()}-{next(_counter):05d}.body"
        with path.open("wb") as sink:
            environ["wsgi.input"] = _Tee(environ["wsgi.input"], sink)
            yield from inner(environ, start_response)

    app.wsgi_app = capture  # type: ignore[method-assign]
    return app
