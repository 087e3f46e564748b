"""``witnessbox export verify BUNDLE``: check an export bundle, as a recipient would.

Needs no database, no configuration and no secrets: the group is a plain
click group, so Flask's CLI never builds the app for it (Flask only loads the
app for commands it cannot find, or for commands wrapped in an app context).
"""

from __future__ import annotations

from pathlib import Path

import click

from app.exports.bag import verify_bag
from crypto.errors import CryptoError
from crypto.minisign import MinisignPublicKey, parse_public_key


@click.group("export", help="Export bundles (signed BagIt bags).")
def export_cli() -> None:
    pass


@export_cli.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--public-key", "public_key_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The exporting organisation's minisign public key, obtained out of "
                   "band. Without it, the bundle's own export-key.pub is used, which "
                   "proves integrity but not origin.")
def verify_command(bundle: Path, public_key_path: Path | None) -> None:
    """Check BUNDLE (a bag folder or its .tar): signature, manifests, extra files.

    Exits 0 when everything verifies, 1 with one line per problem otherwise
    (a missing bundle or key file included).
    """
    public_key: MinisignPublicKey | None = None
    if public_key_path is not None:
        try:
            public_key = parse_public_key(public_key_path.read_text(encoding="utf-8"))
        except (CryptoError, UnicodeDecodeError) as exc:
            click.echo(f"FAILED: {public_key_path}: not a minisign public key ({exc})",
                       err=True)
            raise SystemExit(1) from None
        except OSError as exc:
            click.echo(f"FAILED: {public_key_path}: {exc.strerror}", err=True)
            raise SystemExit(1) from None
    report = verify_bag(bundle, public_key)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"FAILED: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"bundle verified: {report.payload_files} files, signed by key "
               f"{report.key_id}, trusted comment: {report.trusted_comment}")
