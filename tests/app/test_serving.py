"""app.serving: the gunicorn hook that loads the detector in each worker."""

from __future__ import annotations

import logging

import pytest

from app import serving
from app.review import detection


class _Worker:
    """What the hook uses of a gunicorn worker: its logger."""

    def __init__(self) -> None:
        self.log = logging.getLogger("test.serving.worker")


def test_post_worker_init_loads_the_detector_and_logs_only_the_time(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="test.serving.worker"):
        serving.post_worker_init(_Worker())
    assert detection.warm_seconds() is not None
    [record] = caplog.records
    assert record.getMessage().startswith("detector warmed in ")
    assert record.getMessage().endswith(" s")
