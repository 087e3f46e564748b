"""The shape of the crypto package: a small boundary with no web or database code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import crypto

FORBIDDEN = {"flask", "werkzeug", "sqlalchemy", "alembic", "app"}


def test_importing_crypto_pulls_in_no_web_or_database_code() -> None:
    # A fresh interpreter, since this test process has long imported everything.
    package_root = str(Path(crypto.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    code = ("import json, sys, crypto, crypto.case_keys, crypto.envelope, crypto.errors, "
            "crypto.identities, crypto.minisign, crypto.signing; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=env, cwd=package_root, timeout=60, check=True)
    loaded = set(json.loads(completed.stdout))
    assert "crypto" in loaded
    assert "pyrage" in loaded
    assert not loaded & FORBIDDEN


def test_public_api_is_exported_and_has_one_exception_type() -> None:
    for name in crypto.__all__:
        assert hasattr(crypto, name), name
    exported_exceptions = [name for name in crypto.__all__
                           if isinstance(getattr(crypto, name), type)
                           and issubclass(getattr(crypto, name), BaseException)]
    assert exported_exceptions == ["CryptoError"]
    assert issubclass(crypto.CryptoError, Exception)
