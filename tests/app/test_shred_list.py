from datetime import UTC, datetime
from pathlib import Path

from app import shred_list
from app.shred_list import ShredEntry


def test_appended_entries_read_back_in_order_from_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "shred-list.jsonl"
    first = ShredEntry("C-1", "org-a", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    second = ShredEntry("C-2", "org-b", datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC))
    shred_list.append(path, [first])
    shred_list.append(path, [second])
    assert shred_list.read(path) == [first, second]
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_missing_list_is_empty_and_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "shred-list.jsonl"
    assert shred_list.read(path) == []
    entry = ShredEntry("C-1", "org-a", datetime(2026, 1, 2, tzinfo=UTC))
    shred_list.append(path, [entry])
    with path.open("ab") as handle:
        handle.write(b'{"case": "C-2", "organ')
    assert shred_list.read(path) == [entry]
