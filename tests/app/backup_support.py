"""Helpers for the backup tests: the real ``witnessbox`` command on a given
instance, fresh empty instances to restore into, and archive surgery."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyrage
from pgtools import drop_postgres_database, fresh_postgres_database

import crypto
from app.config import Settings

PROJECT = Path(__file__).resolve().parents[2]
WITNESSBOX = Path(sys.executable).parent / "witnessbox"


def environment(settings: Settings, tmpdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("WITNESSBOX_")}
    env.update({
        "PYTHONPATH": str(PROJECT),  # this checkout's code
        "TMPDIR": str(tmpdir),  # scanned afterwards for plaintext left behind
        "WITNESSBOX_CONFIG": str(tmpdir.parent / "none.toml"),
        "WITNESSBOX_SECRET_KEY": settings.secret_key,
        "WITNESSBOX_TOTP_SEED_KEYS": ",".join(settings.totp_seed_keys),
        "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": settings.audit_signing_key_file,
        "WITNESSBOX_DATABASE_URL": settings.database_url,
        "WITNESSBOX_BLOB_DIR": settings.blob_dir,
        "WITNESSBOX_EXPORT_DIR": settings.export_dir,
        "WITNESSBOX_EXPORT_KEY_DIR": settings.export_key_dir,
        "WITNESSBOX_SHRED_LIST_FILE": settings.shred_list_file,
        "WITNESSBOX_BASE_URL": settings.base_url,
        "WITNESSBOX_AUDIT_CHECKPOINT_LOG": settings.audit_checkpoint_log,
    })
    (tmpdir.parent / "none.toml").write_text("[witnessbox]\n")
    return env


def witnessbox(settings: Settings, tmpdir: Path, *args: str
               ) -> subprocess.CompletedProcess[str]:
    tmpdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(WITNESSBOX), *args], env=environment(settings, tmpdir),
                          cwd=PROJECT, capture_output=True, text=True, timeout=300,
                          check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if line.strip() and not line.startswith(("INFO:", "DEBUG:", "WARNING:"))]


@contextmanager
def empty_instance(settings: Settings, root: Path) -> Iterator[Settings]:
    """Settings of a new instance with the same keys: an empty database of
    the same kind (a new SQLite file, or a new PostgreSQL database) and an
    empty blob directory."""
    root.mkdir(parents=True)
    name = None
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite:///{root / 'witnessbox.sqlite3'}"
    else:
        name, url = fresh_postgres_database()
    try:
        yield replace(settings, database_url=url, blob_dir=str(root / "blobs"),
                      export_dir=str(root / "exports"),
                      export_key_dir=str(root / "export-keys"),
                      shred_list_file=str(root / "shred-list.jsonl"))
    finally:
        if name:
            drop_postgres_database(name)


def decrypt(path: Path, identity: crypto.Identity) -> bytes:
    native = pyrage.x25519.Identity.from_str(identity_secret(identity))
    return bytes(pyrage.decrypt(path.read_bytes(), [native]))


def identity_secret(identity: crypto.Identity) -> str:
    lines = identity.to_age_identity_file().decode("ascii").splitlines()
    return next(line for line in lines if line.startswith("AGE-SECRET-KEY-"))


def reseal(plaintext: bytes, recipient: str, path: Path) -> None:
    """What anyone holding the public recovery recipient can do."""
    native = pyrage.x25519.Recipient.from_str(recipient)
    path.write_bytes(bytes(pyrage.encrypt(plaintext, [native])))


def rewrite_tar(plaintext: bytes,
                change: Callable[[list[tuple[tarfile.TarInfo, bytes]]],
                                 list[tuple[tarfile.TarInfo, bytes]]]) -> bytes:
    members = []
    with tarfile.open(fileobj=io.BytesIO(plaintext), mode="r:") as tar:
        for info in tar:
            handle = tar.extractfile(info)
            members.append((info, handle.read() if handle else b""))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in change(members):
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()
