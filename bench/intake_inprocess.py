"""The swapped calls timed alone, in this process: numbers the neighbours'
load does not move."""

from __future__ import annotations

import json
import os
import time

import crypto
from app.intake import schema
from app.intake.sealing import AGE_SEALER
from bench.intake_load import narrative
from bench.intake_plan import MIB


def sealing_cost_ms(narrative_bytes: int, reviewer_recipient: str, iterations: int = 1000
                    ) -> float:
    """CPU milliseconds of exactly the calls the pass-through removes, for one
    10 KB submission, timed in this process with nothing else of ours running.

    Mirrors IntakeSubmission, through the same sealer the product uses: a
    case key, the narrative and the sealed-fields JSON sealed to it, the key
    wrapped for the reviewer and the recovery recipient. Noise on a shared
    machine swamps a few per cent in the HTTP rounds; this number does not
    move with the neighbours' load.
    """
    text = narrative(narrative_bytes).encode()
    fields = json.dumps({**{spec.name: None for spec in schema.FIELDS if spec.tier.sealed},
                         "attachments": []}).encode()
    readers = [reviewer_recipient, str(crypto.generate_identity().recipient)]
    started = time.process_time()
    for _ in range(iterations):
        key = crypto.CaseKey.create()
        AGE_SEALER.seal(text, [key.recipient])
        AGE_SEALER.seal(fields, [key.recipient])
        for reader in readers:
            AGE_SEALER.wrap_case_key(key, [crypto.parse_recipient(reader)])
    return 1000 * (time.process_time() - started) / iterations


class _NullSink:
    def write(self, data: bytes) -> int:
        return len(data)


class _RepeatingSource:
    """``size`` bytes served from one block: no allocation beyond the slices."""

    def __init__(self, size: int, block: bytes) -> None:
        self._left, self._block = size, block

    def read(self, size: int = -1) -> bytes:
        size = min(self._left, len(self._block) if size < 0 else size, len(self._block))
        self._left -= size
        return self._block[:size]


def seal_stream_mib_per_s(size: int) -> float:
    """``crypto.seal_stream`` alone, memory to nowhere, CPU time: the ceiling
    for the attachment path, unmoved by HTTP, parsing, hashing, disk or neighbours."""
    recipient = crypto.generate_identity().recipient
    started = time.process_time()
    AGE_SEALER.seal_stream(_RepeatingSource(size, os.urandom(MIB)), _NullSink(), [recipient])
    return size / MIB / (time.process_time() - started)

