#!/usr/bin/env python3
"""Redaction editor benchmark: a 10,000-character testimony's editor page.

    .venv/bin/python bench/redaction_editor.py              # 20 timed requests
    .venv/bin/python bench/redaction_editor.py --requests 5

Builds the app over a fresh migrated SQLite database in a temporary
directory, adds a reviewer with a key and TOTP, files a case through the
intake service whose narrative is a 10,000-character testimony in mixed
English, Korean and Russian (names, places, dates, sums) plus sealed
fields that repeat its names, moves it to "in redaction", signs the reviewer
in and unlocks the key through the Flask test client, then times
``GET /cases/<id>/redaction`` (decrypt, detector over every text, one
pseudonymiser, second sweep, page render) through the same client.

Reported in the same run: the cost of building and warming the detector
(once per process, app/review/detection.py; the first request pays it), the
detector alone on the same texts (so the page's own overhead is visible), and
the process's memory from /proc/self/status before and after the detector
is loaded. The timed requests empty the worker's span cache
(app/review/detection.py) first, so the detector runs in each; the same
number of requests with the cache answering is reported on its own line.
Last line: ``editor chars=10000 p50_ms=X p95_ms=Y rss_mb=Z`` (the detector run).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run by path, the script's folder (bench/) would come first on sys.path and
# bench/queue.py would shadow the standard library's queue: the repository
# root takes its place (siblings are imported as bench.<name>).
sys.path[0] = str(ROOT)
if str(ROOT / "tests" / "app") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests" / "app"))

CHARS = 10_000

PARAGRAPHS = (
    "In March 2017 I was sent from Chongjin to Vladivostok with forty other men of the "
    "8th construction company. Our foreman Kim Chol-su kept every passport in a safe in "
    "his office on Russkaya Street, and the security official Ri Song-hyok checked our "
    "rooms every night. ",
    "We worked on the Zolotoy Rog apartment towers for the contractor Primstroi from six "
    "in the morning until two at night. Pak Yong-ho, who slept next to me, fell from the "
    "fourth floor in August 2018 and was sent home without pay. ",
    "저는 2017년 3월에 함경북도 청진시에서 블라디보스토크로 파견되었습니다. 작업반장 김철수는 "
    "우리 여권을 모두 가져갔고, 보위부원 리성혁이 매일 밤 숙소를 검사했습니다. 한 달에 "
    "받은 돈은 겨우 100달러였고 나머지는 충성자금으로 바쳐야 했습니다. ",
    "박영호 동무는 2018년 8월에 4층에서 떨어져 다쳤는데 치료도 받지 못하고 평양으로 "
    "돌려보내졌습니다. 우리는 하루에 열여덟 시간씩 일했고 휴일은 일 년에 이틀뿐이었습니다. ",
    "Прораб Иван Петрович Сидоров из компании «Примстрой» платил деньги не нам, а "
    "бригадиру Киму. Мы жили в общежитии на улице Русской, дом 17, в Хабаровске, а потом "
    "нас перевезли в Амурскую область, в посёлок Серышево. ",
    "В декабре 2019 года Ли Сон Хёк сказал, что тот, кто пожалуется, поедет домой и его "
    "семья в Пхеньяне ответит за это. Телефоны были запрещены; один телефон был у "
    "переводчицы Натальи Ким. ",
    "Each month the company paid 700 dollars per worker into an account that Kim Chol-su "
    "controlled; I received 120 dollars and the rest went to the loyalty fund. In the "
    "winter of 2019 we were moved to a logging camp near Tynda in the Amur region. ",
    "My wife Choe Mi-ran and our two daughters still live in Hoeryong, North Hamgyong "
    "Province, on the street behind the railway station. I left the site on 14 May 2020 "
    "with the help of a Russian driver called Sergei, who took me to Moscow. ",
)


def make_testimony(chars: int = CHARS) -> str:
    parts: list[str] = []
    total, index = 0, 0
    while total < chars:
        paragraph = PARAGRAPHS[index % len(PARAGRAPHS)]
        if index >= len(PARAGRAPHS):  # later rounds: other numbers, same shapes
            shift = index
            paragraph = re.sub(r"\d+", lambda m, by=shift: str(int(m.group()) + by), paragraph)
        parts.append(paragraph + ("\n\n" if index % 3 == 2 else ""))
        total += len(parts[-1])
        index += 1
    return "".join(parts)[:chars]


SEALED_FIELDS = {
    "name_dprk": "Kim Yong-nam", "aliases": "Yong-i; 김용남", "interview_place": "Seoul",
    "hometown_city": "Chongjin", "hometown_province": "North Hamgyong",
    "family_in_dprk": "Wife Choe Mi-ran and two daughters in Hoeryong",
    "russian_location": "Vladivostok, then Tynda", "employer": "Primstroi",
    "exit_helpers": "A Russian driver called Sergei; 선교사 이요한",
}


def _p95(sorted_ms: list[float]) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(0.95 * (len(sorted_ms) - 1)))]


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    from alembic import command
    from sqlalchemy import select
    from web_support import PASSPHRASE, SECRET_KEY, TOTP_SEED_KEYS, TotpRegistry, WebUser

    import crypto
    from app import create_app
    from app.audit.keyfile import write_new_signing_key
    from app.cases import workflow
    from app.cli import alembic_config
    from app.config import Settings
    from app.intake.schema import IntakeAnswers
    from app.intake.sealing import AGE_SEALER
    from app.intake.service import IntakeSubmission
    from app.models import Case, CaseStatus, Role
    from app.orgs.service import add_member, add_member_key, create_organisation
    from app.redaction.detector import Detector
    from app.review import detection, layers
    from app.storage import BlobStore

    rss_start = status_kib("VmRSS")
    with tempfile.TemporaryDirectory(prefix="wb-editor-bench-") as work:
        directory = Path(work)
        url = f"sqlite:///{directory / 'witnessbox.sqlite3'}"
        command.upgrade(alembic_config(url), "head")
        write_new_signing_key(directory / "audit-key")
        settings = Settings(secret_key=SECRET_KEY, totp_seed_keys=TOTP_SEED_KEYS,
                            audit_signing_key_file=str(directory / "audit-key"),
                            database_url=url, blob_dir=str(directory / "blobs"),
                            base_url="https://witnessbox.example", secure_cookies=False,
                            log_level="WARNING")
        app = create_app(settings)
        totp = TotpRegistry()
        password = "bench password for the editor"
        db = app.extensions["witnessbox.sessionmaker"]()
        org = create_organisation(db, "bench", "Bench NGO").organisation
        interviewer = add_member(db, org, "interviewer@bench.test", password, Role.INTERVIEWER,
                                 must_change_password=False)
        reviewer = add_member(db, org, "reviewer@bench.test", password, Role.REVIEWER,
                              must_change_password=False)
        identity = crypto.generate_identity()
        add_member_key(db, reviewer, crypto.protect_identity(identity, PASSPHRASE),
                       identity.recipient)
        totp.enrol(db, reviewer.user)
        db.commit()
        narrative = make_testimony()
        values = {"sector": "construction", "consent_scopes": ["internal_only"],
                  "source_connection": "experienced", **SEALED_FIELDS}
        with IntakeSubmission(db, interviewer, BlobStore(settings.blob_dir),
                              AGE_SEALER) as submission:
            receipt = submission.store(IntakeAnswers(values=values, narrative=narrative,
                                                     indicators={}),
                                       app.extensions["witnessbox.audit_signer"].signing_key)
        db.commit()
        case = db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
        workflow.change_status(db, case, CaseStatus.IN_REVIEW, actor=reviewer)
        workflow.change_status(db, case, CaseStatus.IN_REDACTION, actor=reviewer)
        db.commit()

        user = WebUser(app.test_client(), totp)
        user.sign_in("reviewer@bench.test", password)
        unlocked = user.client.post("/key/unlock", data={
            "passphrase": PASSPHRASE, "csrf_token": user.csrf_token("/key")})
        assert unlocked.status_code == 302, unlocked.status_code
        path = f"/cases/{case.public_id}/redaction"

        # A separate Detector, only to measure what building one costs.
        started = time.perf_counter()
        Detector()
        construct_ms = (time.perf_counter() - started) * 1000
        rss_before = status_kib("VmRSS")
        started = time.perf_counter()
        first = user.client.get(path)
        first_ms = (time.perf_counter() - started) * 1000
        assert first.status_code == 200, first.status_code
        html = first.get_data(as_text=True)
        suggestions = html.count('name="span"')
        sweep_items = len(set(re.findall(r'name="sweep-([^"]+)"', html)))
        assert suggestions > 0, "no suggestions on the page"
        rss_loaded = status_kib("VmRSS")

        # Cold: the suggestions computed by the detector for every request.
        times: list[float] = []
        for _ in range(args.requests):
            detection.clear_cache()
            started = time.perf_counter()
            response = user.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        # Warm: the same texts again, the worker's cache answering.
        cached: list[float] = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = user.client.get(path)
            cached.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        texts = layers.case_texts(narrative, values)
        started = time.perf_counter()
        layers.suggest(texts, detection.detector().detect)
        detect_ms = (time.perf_counter() - started) * 1000
        db.close()
        app.extensions["witnessbox.engine"].dispose()

    times.sort()
    cached.sort()
    p50, p95 = statistics.median(times), _p95(times)
    rss_mb = status_kib("VmRSS") / 1024
    print(f"narrative: {len(narrative)} characters; sealed text fields: {len(SEALED_FIELDS)}")
    print(f"suggestions on the page: {suggestions}; second-sweep items: {sweep_items}")
    print(f"Detector() construction: {construct_ms:.1f} ms; warming (models loaded, once "
          f"per process): {(detection.warm_seconds() or 0) * 1000:.0f} ms")
    print(f"first editor request (pays the warm-up): {first_ms:.0f} ms")
    print(f"detector alone on the same texts: {detect_ms:.0f} ms")
    print(f"editor GET, suggestions computed, {len(times)} requests: p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, max {times[-1]:.0f} ms")
    print(f"editor GET, suggestions from the worker's cache, {len(cached)} requests: "
          f"p50 {statistics.median(cached):.0f} ms, p95 {_p95(cached):.0f} ms")
    print(f"VmRSS: start {rss_start / 1024:.0f} MB, app ready {rss_before / 1024:.0f} MB, "
          f"detector loaded {rss_loaded / 1024:.0f} MB; VmHWM {status_kib('VmHWM') / 1024:.0f} MB")
    print(f"editor chars={len(narrative)} p50_ms={p50:.0f} p95_ms={p95:.0f} rss_mb={rss_mb:.0f}")


if __name__ == "__main__":
    main()
