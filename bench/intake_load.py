"""The narrative workload: signed-in client processes posting back to back,
and what one timed round of them measures."""

from __future__ import annotations

import multiprocessing as mp
import os
import secrets
import signal
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue as MPQueue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as MPEvent
from typing import Any

import requests
from intake_data import encode, minimal_form

from bench.intake_plan import INTERVIEWER, Plan
from bench.intake_procfs import machine_cpu
from bench.intake_servers import Server, die_with_parent


def sign_in(server: Server) -> tuple[requests.Session, str]:
    """Sign in once (argon2 on the server: never per request); return the
    session and the CSRF token for the intake form."""
    session = server.live.session(INTERVIEWER, server.deployment.password)
    # Sign-in clears the session, so the form's token is read only now. Its
    # submission token is not used: each submission makes its own (`submit`).
    tokens = dict(server.live.intake_tokens(session))
    return session, tokens["csrf_token"]


def narrative(size: int) -> str:
    sentence = ("We were taken to the site before dawn and worked until late at night; "
                "the supervisor kept our passports and the phone was forbidden. ")
    return (sentence * (size // len(sentence) + 1))[:size]


# Stands in for each submission's one-time token in a body encoded once; the
# same length as a real token (43 URL-safe characters), so sizes do not change.
TOKEN_PLACEHOLDER = b"T" * 43


def intake_body(csrf_token: str, narrative_bytes: int) -> tuple[bytes, str]:
    # The tokens first, as in the form: the view checks them before files.
    encoded: tuple[bytes, str] = encode(
        {"csrf_token": csrf_token, "submission_token": TOKEN_PLACEHOLDER.decode(),
         **minimal_form(narrative=narrative(narrative_bytes))})
    return encoded


def submit(session: requests.Session, base_url: str, body: bytes, content_type: str) -> None:
    """File one case. Each submission gets a fresh one-time token, as a browser
    gets from a freshly opened form (the server checks its form, not its
    origin); the same token twice would file one case, not two."""
    body = body.replace(TOKEN_PLACEHOLDER, secrets.token_urlsafe(32).encode(), 1)
    response = session.post(base_url + "/intake/", data=body, timeout=60, allow_redirects=False,
                            headers={"Content-Type": content_type})
    if response.status_code != 303 or "/intake/receipts/WB-" not in response.headers.get(
            "Location", ""):
        raise RuntimeError(f"submission not stored: HTTP {response.status_code}")


@dataclass(frozen=True)
class Login:
    """A signed-in session, carried into each round's client process."""

    cookies: dict[str, str]
    csrf_token: str


def log_in(server: Server) -> Login:
    session, token = sign_in(server)
    cookies = {name: value for name, value in session.cookies.get_dict().items()
               if value is not None}
    return Login(cookies, token)


def _client_process(base_url: str, label: str, login: Login, narrative_bytes: int, warmup: int,
                    max_requests: int, messages: MPQueue[tuple[str, Any]], go: MPEvent,
                    deadline: Synchronized[float]) -> None:
    """One load-generator process: one signed-in session, requests back to back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cleans up on Ctrl-C
    die_with_parent()  # and if the parent is killed outright, we go too
    try:
        session = requests.Session()
        session.cookies.update(login.cookies)
        body, content_type = intake_body(login.csrf_token, narrative_bytes)
        for _ in range(warmup):
            submit(session, base_url, body, content_type)
        messages.put(("ready", os.getpid()))
        if not go.wait(timeout=120):
            raise RuntimeError("never told to start")
        stop_at = deadline.value
        latencies: list[float] = []
        errors: list[str] = []
        cpu_before = os.times()
        while time.monotonic() < stop_at and len(latencies) + len(errors) < max_requests:
            started = time.monotonic()
            try:
                submit(session, base_url, body, content_type)
            except (RuntimeError, requests.RequestException) as exc:
                errors.append(str(exc)[:200])
                continue
            latencies.append(time.monotonic() - started)
        cpu_after = os.times()
        messages.put(("done", {
            "server": label, "ok": len(latencies), "errors": errors, "latencies": latencies,
            "warmup_ok": warmup, "ended": time.monotonic(),
            "cpu": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
        }))
    except BaseException as exc:
        messages.put(("error", f"{type(exc).__name__}: {exc}"))


def load_round(groups: list[tuple[Server, list[Login]]], plan: Plan, index: int
               ) -> list[dict[str, Any]]:
    """One timed window of load: every signed-in session of every group in its
    own process, all started together. With one group this is an ordinary
    round; with both, the two servers share the machine -- and its noise --
    for the same seconds."""
    context = mp.get_context("fork")  # the children need nothing re-imported
    messages: MPQueue[tuple[str, Any]] = context.Queue()
    go = context.Event()
    deadline = context.Value("d", 0.0)
    processes = [context.Process(target=_client_process, daemon=True, args=(
        server.base_url, server.label, login, plan.narrative_kb * 1024, plan.warmup,
        plan.max_requests_per_client, messages, go, deadline))
        for server, logins in groups for login in logins]
    servers = [server for server, _ in groups]
    try:
        for process in processes:
            process.start()
        for _ in processes:
            kind, payload = messages.get(timeout=120)
            if kind != "ready":
                raise RuntimeError(f"client failed: {payload}")
        before = [(s.worker_cpu(), s.worker_sched()) for s in servers]
        machine_before = machine_cpu()
        started = time.monotonic()
        deadline.value = started + plan.duration_s
        go.set()
        done: dict[str, list[dict[str, Any]]] = {s.label: [] for s in servers}
        for _ in processes:
            kind, payload = messages.get(timeout=plan.duration_s + 120)
            if kind != "done":
                raise RuntimeError(f"client failed: {payload}")
            done[payload["server"]].append(payload)
        after = [(s.worker_cpu(), s.worker_sched()) for s in servers]
        machine_after = machine_cpu()
        for process in processes:
            process.join(timeout=10)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)

    wall = max(d["ended"] for ds in done.values() for d in ds) - started
    busy = machine_after["busy"] - machine_before["busy"]
    ours = sum(a[0] - b[0] for a, b in zip(after, before, strict=True)) + sum(
        d["cpu"] for ds in done.values() for d in ds)
    results = []
    for server, (cpu_before, sched_before), (cpu_after, sched_after) in zip(
            servers, before, after, strict=True):
        mine = done[server.label]
        ok = sum(d["ok"] for d in mine)
        errors = [e for d in mine for e in d["errors"]]
        latencies = sorted(lat for d in mine for lat in d["latencies"])
        server_cpu = cpu_after - cpu_before
        waited = sched_after[1] - sched_before[1]
        # Where a worker's time went: running, runnable but waiting for a CPU
        # (the machine is busy), or neither -- blocked on I/O (SQLite's fsyncs,
        # the socket) or a lock, or idle for want of a queued request.
        off_cpu = max(0.0, server.workers * wall - (sched_after[0] - sched_before[0]) - waited)

        def per_req(seconds: float, ok: int = ok) -> float | None:
            return round(1000 * seconds / ok, 2) if ok else None

        results.append({
            "config": server.label, "round": index, "ok": ok, "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "stored_including_warmup": ok + sum(d["warmup_ok"] for d in mine),
            "wall_s": round(wall, 3), "per_s": round(ok / wall, 2),
            "latency_p50_ms": round(1000 * latencies[len(latencies) // 2], 1)
            if latencies else None,
            "latency_p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1)
            if latencies else None,
            "server_cpu_ms_per_req": per_req(server_cpu),
            "worker_cpu_wait_ms_per_req": per_req(waited),
            "worker_off_cpu_ms_per_req": per_req(off_cpu),
            "client_cpu_ms_per_req": per_req(sum(d["cpu"] for d in mine)),
            # Busy cores over the window, and how much of that was neither the
            # servers' workers nor our clients: other tenants of the machine.
            "machine_busy_cores": round(busy / wall, 2),
            "other_load_cores": round(max(0.0, busy - ours) / wall, 2),
            "steal_cores": round((machine_after["steal"] - machine_before["steal"]) / wall, 2),
        })
    return results

