#!/usr/bin/env python3
"""Re-wrap benchmark: moving every case key from an old identity to a new one.

    .venv/bin/python bench/rewrap.py                # 100,000 keys (a few minutes)
    .venv/bin/python bench/rewrap.py --keys 20000

Untimed: N fresh case keys, each wrapped to an old identity. Timed, in the
same run:

* ``crypto.rewrap.rewrap`` of all N wraps to a new recipient with every core
  (``os.cpu_count()`` worker processes, pool start-up included);
* the same with ``processes=1`` (in this process, no pool) on the first
  min(N, 2000) wraps: the single-core baseline per key.

A sample of the results is then opened with the new identity (and must not
open with the old). The last line is ``rewrap keys=N seconds=S``, S being
the full parallel re-wrap.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run by path, the script's folder (bench/) would come first on sys.path and
# bench/queue.py would shadow the standard library's queue (which
# concurrent.futures imports): the repository root takes its place.
sys.path[0] = str(ROOT)

from crypto import CaseKey, CryptoError, generate_identity  # noqa: E402
from crypto.rewrap import rewrap  # noqa: E402

BASELINE_KEYS = 2000
SAMPLE = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keys", type=int, default=100_000, help="case keys to re-wrap")
    args = parser.parse_args()
    keys: int = args.keys
    if keys < 1:
        parser.error("--keys must be at least 1")
    cores = os.cpu_count() or 1

    old, new = generate_identity(), generate_identity()
    started = time.perf_counter()
    case_keys = [CaseKey.create() for _ in range(keys)]
    wrapped = [key.wrap([old.recipient]) for key in case_keys]
    print(f"setup keys={keys} seconds={time.perf_counter() - started:.1f}", flush=True)

    baseline_keys = min(keys, BASELINE_KEYS)
    started = time.perf_counter()
    rewrap(wrapped[:baseline_keys], old, new.recipient, processes=1)
    single = time.perf_counter() - started
    single_ms = single / baseline_keys * 1000
    print(f"single-process keys={baseline_keys} seconds={single:.2f} "
          f"ms_per_key={single_ms:.3f}", flush=True)

    started = time.perf_counter()
    result = rewrap(wrapped, old, new.recipient)
    parallel = time.perf_counter() - started
    parallel_ms = parallel / keys * 1000
    print(f"parallel processes={cores} keys={keys} seconds={parallel:.2f} "
          f"ms_per_key={parallel_ms:.3f} speed-up={single_ms / parallel_ms:.2f}", flush=True)

    if len(result) != keys:
        raise SystemExit(f"expected {keys} wraps, got {len(result)}")
    for index in random.sample(range(keys), min(keys, SAMPLE)):
        if CaseKey.unwrap(result[index], [new]).recipient != case_keys[index].recipient:
            raise SystemExit(f"wrap {index} holds another case key")
        try:
            CaseKey.unwrap(result[index], [old])
        except CryptoError:
            continue
        raise SystemExit(f"wrap {index} still opens with the old identity")
    print(f"verified sample={min(keys, SAMPLE)}")
    print(f"rewrap keys={keys} seconds={parallel:.2f}")


if __name__ == "__main__":
    main()
