"""What bench/intake.py runs: the plan, its command line, and shared names."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_JSON = BENCH_DIR / "results" / "intake.json"
SEALED_APP = "app:create_app()"
PASSTHROUGH_APP = "bench._passthrough_app:create_app()"
CONFIGS = {"sealed": SEALED_APP, "passthrough": PASSTHROUGH_APP}
AGE_HEADER = b"age-encryption.org/v1\n"
MIB = 1024 * 1024
INTERVIEWER = "interviewer@bench.invalid"
REVIEWER = "reviewer@bench.invalid"
DESCRIPTION = "Sealed intake benchmark: what sealing costs on the real HTTP path."


@dataclass(frozen=True)
class Plan:
    # Many short pairs rather than a few long ones: the neighbours' load comes
    # in bursts, and the closer in time the two halves of a pair, the more
    # alike the conditions they see.
    pairs: int = 8              # counterbalanced pairs of throughput rounds
    duration_s: float = 5.0     # timed window per round
    workers: int = 2            # gunicorn workers for the throughput part
    clients: int = 4            # load-generator processes, one session each
    warmup: int = 3             # untimed submissions per client per round
    narrative_kb: int = 10
    attachment_mib: int = 500
    attachment_reps: int = 2    # uploads per configuration, alternating
    max_requests_per_client: int = 20_000  # a bound in case a round runs away
    sealing_iterations: int = 1000  # in-process timing of the swapped calls
    # A cross-check after the alternating pairs: both servers loaded in the
    # same window, so a neighbour's burst hits both alike.
    simultaneous_rounds: int = 3

    @classmethod
    def quick(cls) -> Plan:
        return cls(pairs=1, duration_s=3.0, warmup=2, attachment_mib=50, attachment_reps=1,
                   sealing_iterations=200, simultaneous_rounds=1)


def parse_args(argv: list[str] | None) -> tuple[Plan, Path | None, list[str]]:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 pair of 3 s rounds, 50 MiB attachment")
    parser.add_argument("--pairs", type=int)
    parser.add_argument("--duration", type=float, help="seconds per throughput round")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--simultaneous", type=int, help="rounds with both servers loaded")
    parser.add_argument("--attachment-mib", type=int)
    parser.add_argument("--attachment-reps", type=int)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"where to write results (default {DEFAULT_JSON.relative_to(ROOT)})")
    parser.add_argument("--no-json", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    overrides = {"pairs": args.pairs, "duration_s": args.duration, "workers": args.workers,
                 "clients": args.clients, "attachment_mib": args.attachment_mib,
                 "attachment_reps": args.attachment_reps,
                 "simultaneous_rounds": args.simultaneous}
    plan = Plan(**{**asdict(plan), **{k: v for k, v in overrides.items() if v is not None}})
    if min(plan.pairs, plan.workers, plan.clients, plan.attachment_mib,
           plan.attachment_reps) < 1 or plan.duration_s <= 0 or plan.simultaneous_rounds < 0:
        parser.error("counts, sizes and durations must be positive")
    command = [".venv/bin/python", "bench/intake.py", *(argv if argv is not None else
                                                        sys.argv[1:])]
    return plan, None if args.no_json else args.json, command

