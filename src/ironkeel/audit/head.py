"""The head: the last record's (seq, hash), kept in a file apart from the table.

The chain proves that no record was edited, removed or moved *before* the last
one; it cannot show that records were cut off the end. The head does: it is
rewritten after every commit, atomically (temporary file, fsync, rename, fsync of
the directory), so it always names a committed record. Truncating the table, or
appending to it behind the log's back, makes the table disagree with the head.

Kept beside the log (``<log>.head``, the default) the head only catches someone
who changes the table alone. For protection against someone who can rewrite both
files, keep it elsewhere (``head_path``) or copy it to write-once storage.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import msgspec

from ironkeel.model.errors import InvalidInputError

__all__ = ["Head", "default_head_path", "read_head", "write_head"]

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


class Head(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The last committed record: its ``seq`` (0 for an empty log) and ``hash``."""

    seq: int
    hash: str

    def __post_init__(self) -> None:
        if self.seq < 0:
            raise InvalidInputError("head.seq", self.seq, "is negative", "use seq >= 0")
        if _HEX64.match(self.hash) is None:
            raise InvalidInputError(
                "head.hash", self.hash, "is not 64 lower-case hex digits", "use a SHA-256 hex"
            )


_encode = msgspec.json.Encoder(order="sorted").encode
_decode = msgspec.json.Decoder(Head).decode


def default_head_path(log_path: Path) -> Path:
    """Where the head of ``log_path`` is kept unless told otherwise: ``<log_path>.head``."""
    return log_path.with_name(log_path.name + ".head")


def read_head(path: Path) -> Head:
    """The head stored at ``path``; ``FileNotFoundError`` if there is none, and
    ``InvalidInputError`` if the file is not a valid head."""
    data = path.read_bytes()
    try:
        return _decode(data)
    except (msgspec.DecodeError, InvalidInputError) as error:
        raise InvalidInputError(
            "head file", str(path), f"is not a valid audit head ({error})", "restore it"
        ) from None


def write_head(path: Path, head: Head) -> None:
    """Replace the head at ``path`` atomically and durably."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as file:
        file.write(_encode(head) + b"\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX; Windows cannot open a directory and needs no call)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
