"""Build ``fixtures/regression_style.jsonl`` from the inline-annotated sources.

    .venv/bin/python tests/redaction/build_regression.py

Records are written with inline markup ``[[ENTITY_ID|TYPE|IDTYPE|surface]]``
in ``fixtures/regression-src/*.txt`` (first line ``lang: xx``, blank line, body)
and converted here, so every offset is computed, never typed by hand. The
output has the format of the shared ``interviews_dev.jsonl``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from redaction_inline import parse  # noqa: E402 -- after the path set-up above

SRC = HERE / "fixtures" / "regression-src"
OUT = HERE / "fixtures" / "regression_style.jsonl"


def records() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted(SRC.glob("*.txt")):
        lang, text, entities = parse(path.read_text("utf-8"))
        out.append(
            {
                "doc_id": path.stem,
                "lang": lang,
                "text": text,
                "entities": [
                    {
                        "entity_id": e.entity_id,
                        "entity_type": e.entity_type,
                        "identifier_type": e.identifier_type,
                        "mentions": [
                            {"start": s, "end": t, "span_text": text[s:t]} for s, t in e.mentions
                        ],
                    }
                    for e in entities
                ],
            }
        )
    return out


def render() -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records())


if __name__ == "__main__":
    OUT.write_text(render(), "utf-8")
    print(f"{len(records())} records -> {OUT}")
