"""Side-by-side benchmark: Microsoft Presidio vs the Witnessbox detector.

Runs both systems on the same development data in one process and reports,
for each data set, the scorer's four metrics and characters per second.

    .venv/bin/pip install -e '.[bench]'
    PYTHONPATH=. .venv/bin/python bench/redaction.py [--eval-dir DIR] [--repeat N]

Data: ../shared/eval next to the repository (or $WITNESSBOX_EVAL_DIR, or
--eval-dir). Presidio runs with spaCy English weights when a model package
(en_core_web_lg/md/sm) is installed, otherwise with its pattern recognizers
only on a blank spaCy pipeline; the output says which. Timing excludes model
loading for both systems (each is warmed up on one document first).

    PYTHONPATH=. .venv/bin/python bench/redaction.py --per-language

measures the detector alone, one fresh process per language (en, ko, ru, on
the development records of that language): model loading (seconds and RSS
after it) separately from the per-text cost (chars/s, peak RSS), and for
English the share of time spent in the learned recogniser (CRF).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# Not bench/ first: its queue.py would shadow the standard library's queue.
sys.path[0] = str(REPO)

DATASETS = ("interviews_dev.jsonl", "tab_dev_subset.json")
METRICS = ("ER_di", "ER_qi", "P_token", "NO_MASK_hit")


def _eval_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("WITNESSBOX_EVAL_DIR")
    return Path(env) if env else (REPO / ".." / "shared" / "eval").resolve()


def _load_scorer(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_spans", eval_dir / "score_spans.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {eval_dir / 'score_spans.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _offline_tldextract() -> None:
    # Presidio's e-mail recognizer calls tldextract, which by default fetches
    # the public suffix list from the internet; use the bundled snapshot.
    import tldextract
    import tldextract.tldextract as tx

    extractor = tldextract.TLDExtract(suffix_list_urls=())
    tx.TLD_EXTRACTOR = extractor
    tldextract.extract = extractor  # type: ignore[assignment]


def build_presidio() -> tuple[Any, str]:
    _offline_tldextract()
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    for name in ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"):
        if spacy.util.is_package(name):
            engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": name}])
            engine.load()
            return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]), (
                f"Presidio with spaCy {name} weights"
            )
    # No English weights reachable: a blank pipeline tokenises only, so only
    # Presidio's pattern recognizers (phone, e-mail, IDs, dates...) can fire.
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]), (
        "Presidio pattern recognizers only (no spaCy English weights installed; blank pipeline)"
    )


def run_system(fn: Any, gold: dict[str, Any], repeat: int) -> tuple[dict[str, Any], float]:
    docs = list(gold.values())
    fn(docs[0].text)  # warm-up: model loading is not throughput
    preds: dict[str, list[tuple[int, int]]] = {}
    chars = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            preds[d.doc_id] = fn(d.text)
            chars += len(d.text)
    elapsed = time.perf_counter() - start
    return preds, chars / elapsed


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def language_worker(eval_dir: Path, lang: str, repeat: int) -> dict[str, float]:
    """Runs in its own process: load cost first, then per-text cost."""
    texts = []
    with open(eval_dir / "interviews_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["lang"] == lang:
                texts.append(record["text"])
    base = _rss_mb()
    t0 = time.perf_counter()
    from app.redaction import learned
    from app.redaction.detector import Detector

    detector = Detector()
    detector.warm()
    load_s = time.perf_counter() - t0
    loaded = _rss_mb()
    rules_only = Detector(use_learned=False)
    for text in texts:  # first calls compile patterns: not per-text cost
        detector.detect(text, lang)
        rules_only.detect(text, lang)
    # Interleaved per text, so drift in the shared machine's load hits both.
    chars = 0
    detect_s = without_s = crf_s = 0.0
    for _ in range(repeat):
        for text in texts:
            t1 = time.perf_counter()
            detector.detect(text, lang)
            t2 = time.perf_counter()
            rules_only.detect(text, lang)
            t3 = time.perf_counter()
            learned.find(text)
            learned.find_hangul(text)
            t4 = time.perf_counter()
            detect_s += t2 - t1
            without_s += t3 - t2
            crf_s += t4 - t3
            chars += len(text)
    return {
        "chars": chars / repeat, "load_s": load_s, "rss_base_mb": base,
        "rss_loaded_mb": loaded, "peak_rss_mb": _peak_mb(),
        "chars_per_s": chars / detect_s, "crf_share": crf_s / detect_s,
        "chars_per_s_without_crf": chars / without_s,
    }


def load_worker() -> list[tuple[str, float, float]]:
    """Each model's load time and the RSS it adds, in load order."""
    from app.redaction import gazetteer, korean, learned, russian

    steps = [
        ("rules + gazetteers", lambda: gazetteer.gazetteer()),
        ("English CRF", lambda: learned.find("Anna met Tomasz in Gdansk.")),
        ("Hangul CRF", lambda: learned.find_hangul("김철수가 왔다.")),
        ("kiwipiepy", lambda: korean.find("김철수가 청진에서 왔다.")),
        ("natasha", lambda: russian.find("Иван Петров приехал в Хабаровск.")),
        ("pymorphy2", lambda: russian.common_word("Настоящим")),
    ]
    out = []
    for name, step in steps:
        before = _rss_mb()
        t0 = time.perf_counter()
        step()
        out.append((name, time.perf_counter() - t0, _rss_mb() - before))
    return out


def per_language(eval_dir: Path, repeat: int) -> int:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "load"],
        check=True, capture_output=True, text=True, cwd=REPO,
    ).stdout
    print("model loading (one fresh process, once per worker):")
    for name, secs, mb in json.loads(out.strip().splitlines()[-1]):
        print(f"  {name:20s} {secs:6.2f} s  +{mb:5.0f} MB RSS")
    print()
    print("per language (fresh process each; detector only):")
    print(f"{'lang':4s} {'chars':>7s} {'load s':>7s} {'RSS base':>9s} {'RSS loaded':>11s} "
          f"{'peak RSS':>9s} {'chars/s':>9s} {'CRF share':>9s} {'w/o CRF':>9s}")
    for lang in ("en", "ko", "ru"):
        out = subprocess.run(
            [sys.executable, __file__, "--eval-dir", str(eval_dir), "--repeat", str(repeat),
             "--worker", lang],
            check=True, capture_output=True, text=True, cwd=REPO,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{lang:4s} {r['chars']:7.0f} {r['load_s']:7.2f} {r['rss_base_mb']:8.0f}M "
              f"{r['rss_loaded_mb']:10.0f}M {r['peak_rss_mb']:8.0f}M {r['chars_per_s']:9.0f} "
              f"{r['crf_share']:9.0%} {r['chars_per_s_without_crf']:9.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", default=None)
    ap.add_argument("--repeat", type=int, default=3, help="passes over each data set for timing")
    ap.add_argument("--per-language", action="store_true", help="detector cost per language")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    eval_dir = _eval_dir(args.eval_dir)
    if args.worker == "load":
        print(json.dumps(load_worker()))
        return 0
    if args.worker:
        print(json.dumps(language_worker(eval_dir, args.worker, args.repeat)))
        return 0
    if args.per_language:
        return per_language(eval_dir, args.repeat)
    if not (eval_dir / "score_spans.py").is_file():
        print(f"evaluation data not found at {eval_dir}; set WITNESSBOX_EVAL_DIR or --eval-dir.")
        return 0
    print(f"data: {eval_dir}")
    scorer = _load_scorer(eval_dir)

    from app.redaction.detector import Detector

    detector = Detector()
    detector.warm()
    try:
        analyzer, presidio_mode = build_presidio()
    except ImportError:
        analyzer, presidio_mode = None, "not installed (pip install -e '.[bench]'); skipped"
    print(f"presidio: {presidio_mode}")
    print("witnessbox: app.redaction.detector (CRF + kiwipiepy + natasha + rules, offline)\n")

    def ours(text: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in detector.detect(text)]

    def presidio(text: str) -> list[tuple[int, int]]:
        return [(r.start, r.end) for r in analyzer.analyze(text=text, language="en")]

    header = f"{'data set':22s} {'system':10s} " + " ".join(f"{m:>11s}" for m in METRICS)
    print(header + f" {'chars/s':>10s}")
    for name in DATASETS:
        gold = scorer.load_gold(str(eval_dir / name))
        speeds: dict[str, float] = {}
        systems = [("presidio", presidio)] if analyzer is not None else []
        for label, fn in [*systems, ("witnessbox", ours)]:
            preds, cps = run_system(fn, gold, args.repeat)
            result, _ = scorer.score(gold, preds)
            speeds[label] = cps
            cells = " ".join(
                f"{'n/a' if result[m] is None else format(result[m], '.3f'):>11s}" for m in METRICS
            )
            print(f"{name:22s} {label:10s} {cells} {cps:10.0f}")
        if "presidio" in speeds:
            ratio = speeds["witnessbox"] / speeds["presidio"]
            print(f"{'':22s} throughput ratio witnessbox/presidio: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
