#!/usr/bin/env python3
"""Sealed intake benchmark: what sealing costs on the real HTTP path.

    .venv/bin/python bench/intake.py            # full run (~2 minutes)
    .venv/bin/python bench/intake.py --quick    # smoke run (~15 s)

Two measurements, each against a baseline measured side by side in the same
run (the machine is shared and noisy, so only same-run ratios mean anything):

1. **Submissions per second** with a 10 KB narrative, through gunicorn with
   several worker processes, signed-in ``requests`` sessions in separate
   load-generator processes, and a fresh SQLite database per server. The
   sealed server runs the product (``app:create_app()``); the baseline runs
   ``bench/_passthrough_app.py``, which swaps the three encryption calls the
   intake service makes for identity functions *inside this benchmark only*.
   Rounds alternate in counterbalanced pairs (SP, PS, SP, ...) so a drift in
   background load hits both configurations alike; the headline is the median
   of the per-pair throughput ratios sealed/pass-through (target >= 0.80).
   Three cross-checks that the neighbours' load moves much less: rounds with
   both servers loaded in the same window, worker CPU per submission, and the
   CPU cost of exactly the swapped calls timed in this process.
2. **A large attachment** (500 MiB; 50 MiB with ``--quick``) streamed from the
   client with a known Content-Length (the client never holds it either) to a
   one-worker server: end-to-end MB/s, sealed and pass-through, and the
   worker's peak RSS (VmHWM, reset just before the upload where the kernel
   allows it) next to the RSS of the idle worker, plus the gunicorn master.
   Target: peak under 100 MB.

Both servers' databases are checked afterwards: the sealed one must hold age
files and the pass-through one plaintext, otherwise the comparison is void.
Every server process and the temporary directory are removed on exit,
including on Ctrl-C and SIGTERM.

This file is the entry point; the parts live next to it: ``intake_plan``
(plan and command line), ``intake_servers`` (deployments, gunicorn through
the tests' ``live_server``), ``intake_load`` (the narrative workload),
``intake_attachment`` (the large upload), ``intake_inprocess`` (the swapped
calls timed alone), ``intake_procfs`` (what /proc says) and
``intake_report`` (checks, summary, table). Forms are built with the tests'
helpers (``tests/app/intake_data.py``, ``web_support.py``, ``live_server.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Make the repository importable when run as `python bench/intake.py` from
# anywhere, and the tests' helpers (tests/app: intake_data, live_server,
# web_support) with it. The script's own folder (bench/) must not come first on sys.path: its
# queue.py would shadow the standard library's queue module. The repository
# root takes its place (bench is a package); the tests' helpers come after it.
sys.path[0] = str(ROOT)
if str(ROOT / "tests" / "app") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests" / "app"))

from bench.intake_attachment import attachment_run  # noqa: E402
from bench.intake_inprocess import seal_stream_mib_per_s, sealing_cost_ms  # noqa: E402
from bench.intake_load import load_round, log_in  # noqa: E402
from bench.intake_plan import CONFIGS, MIB, Plan, parse_args  # noqa: E402
from bench.intake_procfs import machine_info, memory_kib  # noqa: E402
from bench.intake_report import print_report, summarise, verify_deployment  # noqa: E402
from bench.intake_servers import (  # noqa: E402
    Deployment,
    Server,
    new_deployment,
    populate,
    protected_reviewer_key,
)


def _raise_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks below


def run(plan: Plan, command: list[str]) -> dict[str, Any]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="witnessbox-bench-intake-"))
    servers: list[Server] = []
    try:
        deployments = {label: new_deployment(work, label) for label in CONFIGS}
        # All four servers boot at once (while the databases are prepared) and
        # stay up: an idle sync worker costs nothing measurable, and no round
        # waits for a restart. Throughput: `plan.workers` workers each.
        # Attachments: one worker each, so that worker's memory is the server's.
        def spawn(label: str, deployment: Deployment, workers: int, max_upload_mib: int
                  ) -> Server:
            server = Server(label, CONFIGS[deployment.name], deployment, work, workers,
                            max_upload_mib)
            servers.append(server)  # at once, so that `finally` stops it whatever follows
            return server

        upload_limit = plan.attachment_mib + 16  # the body is a little over the file
        throughput_servers = {label: spawn(label, deployments[label], plan.workers,
                                           upload_limit) for label in CONFIGS}
        # With one worker already (the smoke test), the same servers take the
        # uploads: two fewer boots on a busy machine.
        upload_servers = throughput_servers if plan.workers == 1 else {
            label: spawn(f"{label}-upload", deployments[label], 1, upload_limit)
            for label in CONFIGS}
        print(f"work directory {work}; protecting the reviewer key (scrypt) ...", flush=True)
        key = protected_reviewer_key()
        for deployment in deployments.values():
            populate(deployment, key)
        seal_ms = sealing_cost_ms(plan.narrative_kb * 1024, key[1], plan.sealing_iterations)
        crypto_mib_s = seal_stream_mib_per_s(plan.attachment_mib * MIB)
        for server in servers:
            server.wait_ready()
        boot_rss = {label: round(memory_kib(s.worker_pids()[0])["VmRSS"] / 1024, 1)
                    for label, s in upload_servers.items()}

        # Sign in once per client slot for the whole run, not per round: argon2
        # is deliberately slow, and sign-in is rate-limited per address (a
        # product setting we leave alone).
        logins = {label: [log_in(server)
                          for _ in range(plan.clients)]
                  for label, server in throughput_servers.items()}
        rounds: list[dict[str, Any]] = []
        stored = dict.fromkeys(CONFIGS, 0)
        for pair in range(plan.pairs):
            order = ("sealed", "passthrough") if pair % 2 == 0 else ("passthrough", "sealed")
            for label in order:
                print(f"throughput pair {pair + 1}/{plan.pairs}: {label} ...", flush=True)
                (result,) = load_round([(throughput_servers[label], logins[label])], plan,
                                       len(rounds))
                stored[label] += result["stored_including_warmup"]
                rounds.append(result)
        simultaneous: list[dict[str, Any]] = []
        for index in range(plan.simultaneous_rounds):
            print(f"simultaneous round {index + 1}/{plan.simultaneous_rounds} ...", flush=True)
            for result in load_round([(throughput_servers[label], logins[label])
                                      for label in CONFIGS], plan, index):
                stored[result["config"]] += result["stored_including_warmup"]
                simultaneous.append(result)
        checks = {label: verify_deployment(deployments[label], label == "sealed", stored[label])
                  for label in CONFIGS}

        size = plan.attachment_mib * MIB
        attachments: list[dict[str, Any]] = []
        for rep in range(plan.attachment_reps):
            order = ("sealed", "passthrough") if rep % 2 == 0 else ("passthrough", "sealed")
            for label in order:
                print(f"attachment {rep + 1}/{plan.attachment_reps}: {label} "
                      f"{plan.attachment_mib} MiB ...", flush=True)
                result = attachment_run(upload_servers[label], size, label == "sealed")
                attachments.append({**result, "config": label, "rep": rep})
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    summary = summarise(rounds, attachments, simultaneous)
    narrative_summary = summary["narrative"]
    narrative_summary["sealing_cpu_ms_per_submission"] = round(seal_ms, 3)
    # If the server were CPU-bound (it is not here: see off-CPU time), sealing
    # would cost this fraction of throughput.
    base = narrative_summary["passthrough_server_cpu_ms_per_req_median"]
    narrative_summary["cpu_bound_ratio_estimate"] = round(base / (base + seal_ms), 3)
    summary["attachment"]["worker_rss_after_boot_mib"] = boot_rss
    summary["attachment"]["seal_stream_alone_mb_per_s"] = round(crypto_mib_s, 1)
    return {
        "benchmark": "bench/intake.py",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(command),
        "machine": machine_info(),
        "plan": asdict(plan),
        "summary": summary,
        "rounds": rounds,
        "simultaneous_rounds": simultaneous,
        "attachments": attachments,
        "database_checks": checks,
        "total_seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    plan, json_path, command = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        result = run(plan, command)
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and temporary files removed", file=sys.stderr)
        return 130
    print_report(result)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nresults written to {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
