"""What a failed step means for the person who runs the pipeline.

Dagster wraps a step's exception in its own ("Error occurred while executing op ..."), dlt wraps
the destination's, dbt reports DuckDB's in its log: the cause a person can act on (a full disk, a
folder the pipeline may not write) sits at the bottom. `failure_reason` digs it out of the whole
error chain and, for the storage errors, names the path and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# errno text -> what to do about it
_STORAGE_ERRORS = {
    "No space left on device": "no space left on the device; free some space, or move the warehouse "
                               "(CXPIPE_WAREHOUSE) or the state folder (CXPIPE_STATE_DIR) to a larger disk",
    "Disk quota exceeded": "disk quota exceeded; free some space or raise the quota",
    "Permission denied": "permission denied; let the user running the pipeline read and write there "
                         "(or point CXPIPE_LANDING_DIR / CXPIPE_WAREHOUSE / CXPIPE_STATE_DIR / "
                         "CXPIPE_SNAPSHOT_DIR elsewhere)",
    "Read-only file system": "the file system is read-only; point the setting for this path at a "
                             "writable folder",
}
# A path next to the errno text, as DuckDB (`Could not write file "PATH": ...`, `Cannot open file
# "PATH": ...`) and Python (`[Errno 28] No space left on device: 'PATH'`) write it.
_PATH_PATTERNS = (
    re.compile(r'file "(?P<path>[^"]+)"[^\n]*?(?P<error>' + "|".join(_STORAGE_ERRORS) + ")"),
    re.compile(r"(?P<error>" + "|".join(_STORAGE_ERRORS) + r")[^\n]*?: '(?P<path>[^']+)'"),
    re.compile(r'(?P<error>' + "|".join(_STORAGE_ERRORS) + r')[^\n]*?"(?P<path>/[^"]+)"'),
)


def _messages(error: Any) -> Iterator[str]:
    """The messages of an error (Dagster's SerializableErrorInfo or an exception) and of every
    error in its cause and context chains, outermost first."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        message = getattr(current, "message", None)
        yield str(message if message is not None else current)
        todo.extend([getattr(current, "cause", None), getattr(current, "context", None),
                     getattr(current, "__cause__", None), getattr(current, "__context__", None)])


def storage_problem(error: Any) -> str | None:
    """A full disk, a missing permission or a read-only file system anywhere in the error's chain,
    as one sentence with the path and what to do; None for other errors."""
    messages = list(_messages(error))
    for text in messages:
        for pattern in _PATH_PATTERNS:
            found = pattern.search(text)
            if found:
                verb = "cannot use" if found["error"] == "Permission denied" else "cannot write"
                return f"{verb} {found['path']}: {_STORAGE_ERRORS[found['error']]}"
    for text in messages:  # an OS error without a path: Python's "[Errno N] ..." form only
        for errno_text, advice in _STORAGE_ERRORS.items():
            found = re.search(r"\[Errno \d+\] " + errno_text, text)
            if found:
                return f"{text[found.start():].splitlines()[0].strip()}: {advice}"
    return None


def failure_reason(error: Any) -> str:
    """One sentence for a step's error: a storage error with its path and what to do, else the
    first line of the innermost error that says something."""
    problem = storage_problem(error)
    if problem:
        return problem
    for text in reversed(list(_messages(error))):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if lines and not lines[0].startswith("Error occurred while executing op"):
            return lines[0]
    return "failed"
