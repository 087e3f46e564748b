#!/usr/bin/env python3
"""Photo-stripping benchmark: cost per MB must not grow with the file.

    .venv/bin/python bench/media.py            # 4, 16, 64, 256 MB (~10 s)
    .venv/bin/python bench/media.py --sizes 4 16

Each input is generated in memory first (untimed): a PNG with one IDAT chunk
of the given size, and a JPEG whose single scan has that much entropy-coded
data (stuffed 0xFF bytes and restart markers included, EXIF before and after
the scan, bytes after EOI). Timed: the real path an upload takes,
``app.intake.media.clean`` on a stream read in 64 KiB pieces as the multipart
reader serves it, read back with ``read(64 KiB)`` as the age sealer does,
without the encryption itself (measured in bench/intake.py). Best of
``--repeat`` runs. A file of unknown format (passed through unchanged) is
timed too, as the floor.

The last line is ``media png_mb=4..256 s_per_mb_ratio=R``: seconds per MB at
the largest PNG over seconds per MB at the smallest. Linear cleaning gives
about 1; the quadratic code this replaced gave about 35 from 4 to 64 MB.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The script's own folder (bench/) must not come first on sys.path: its
# queue.py would shadow the standard library's queue module. The repository
# root takes its place (bench is a package); the tests' helpers come after it.
sys.path[0] = str(ROOT)
if str(ROOT / "tests" / "app") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests" / "app"))

from media_samples import big_jpeg_pieces, big_png_pieces  # noqa: E402

from app.intake import media  # noqa: E402

MB = 1024 * 1024
PIECE = 64 * 1024


def unknown_pieces(size: int) -> Iterator[bytes]:
    block = b"\x00unknown" * (PIECE // 8)
    for offset in range(0, size, PIECE):
        yield block[:min(PIECE, size - offset)]


def seconds_to_clean(data: bytes, repeat: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        source = io.BytesIO(data)
        started = time.perf_counter()
        cleaned = media.clean(source)
        while cleaned.read(PIECE):
            pass
        best = min(best, time.perf_counter() - started)
        outcome = cleaned.metadata
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 64, 256],
                        help="payload sizes in MB (default: 4 16 64 256)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes: list[int] = sorted(args.sizes)

    generators: dict[str, Callable[[int], Iterator[bytes]]] = {
        "png": big_png_pieces, "jpeg": big_jpeg_pieces, "unknown": unknown_pieces}
    per_mb: dict[str, dict[int, float]] = {name: {} for name in generators}
    print(f"{'format':8} {'MB':>5} {'seconds':>9} {'s/MB':>9} {'MB/s':>8}  outcome")
    for name, generate in generators.items():
        for size in sizes:
            data = b"".join(generate(size * MB))
            seconds, outcome = seconds_to_clean(data, args.repeat)
            del data
            per_mb[name][size] = seconds / size
            print(f"{name:8} {size:5} {seconds:9.3f} {seconds / size:9.5f} "
                  f"{size / seconds:8.0f}  {outcome}")
    low, high = sizes[0], sizes[-1]
    for name in generators:
        print(f"{name}: s/MB at {high} MB over s/MB at {low} MB = "
              f"{per_mb[name][high] / per_mb[name][low]:.2f}")
    ratio = per_mb["png"][high] / per_mb["png"][low]
    print(f"media png_mb={low}..{high} s_per_mb_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
