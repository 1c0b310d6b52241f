"""File-writing helpers: atomic writes, a staged output folder, spreadsheet-safe cells, clean text.

A :class:`StagedFolder` is a temporary folder inside the output folder: files are written there and
moved into place together by :meth:`StagedFolder.commit`, so the output folder holds either the
earlier set of files or the new one. It is removed on any exception and on SIGINT or SIGTERM.
:func:`clean_text` replaces control characters (other than tab, newline and carriage return) by
U+FFFD, for the report page and the CSV and XLSX exports; :func:`safe_cell` also prefixes a cell
that a spreadsheet would run as a formula with ``'``.

Example:
    >>> safe_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> clean_text("Reg\\x00ister\\x1b")
    'Reg\\ufffdister\\ufffd'
    >>> import tempfile
    >>> with StagedFolder(tempfile.mkdtemp()) as staged:
    ...     atomic_write_text(staged.path / "a.txt", "new")
    ...     staged.commit(["a.txt"])
    ...     (staged.target / "a.txt").read_text()
    'new'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pandas as pd

from ssc_mining.errors import ConfigError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: C0 controls but tab, newline and carriage return; DEL and C1 controls; lone surrogates; noncharacters
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: never half-written.

    A symlink at ``path`` is replaced, not followed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        if err.filename is None:  # a failed write() names no file: name the one being written
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def clean_text(text: str) -> str:
    """``text`` with every control character but tab, newline and carriage return replaced by U+FFFD."""
    return CONTROL.sub("\ufffd", text)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (it starts with ``= + - @``, tab or CR)."""
    return text.startswith(_FORMULA_START)


def safe_cell(value: object) -> object:
    """A text cell without control characters, prefixed with ``'`` when it would run as a formula (OWASP)."""
    if isinstance(value, str):
        value = clean_text(value)
        if is_formula(value):
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and every column name passed through :func:`safe_cell`."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def output_error(err: OSError, folder: Path, name: str | None = None) -> ConfigError:
    """A clear error for a file or folder that cannot be written: which one, why, and what to do."""
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
              errno.EFBIG: "the file is larger than allowed there",
              errno.EACCES: "no permission to write there", errno.EPERM: "no permission to write there",
              errno.EROFS: "the file system is read-only",
              errno.ENOTDIR: "a part of the path is a file, not a folder"}.get(err.errno or 0,
                                                                                  err.strerror or str(err))
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = "free some disk space, or choose another output folder with -o"
    else:
        hint = "choose an output folder you can write to with -o"
    what = f"cannot write {name}" if name else "the output folder cannot be created or written"
    return ConfigError(f"{what}: {reason}", path=folder, hint=hint)


class StagedFolder:
    """A temporary folder inside ``target`` whose entries replace their namesakes in ``target`` on commit.

    Entering creates ``target`` when needed and the staging folder in it (so the output folder is
    known to be writable before any work starts; otherwise a :class:`ConfigError` naming it), and
    installs SIGINT and SIGTERM handlers that remove the staging folder and then act as the signal
    would have (SIGINT: ``KeyboardInterrupt``; SIGTERM: the process ends by the signal, status 143).
    Leaving removes the staging folder, and folders it created when nothing was committed.
    """

    prefix = ".ssc-mining-"

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        self._path: Path | None = None
        self._created: list[Path] = []
        self._previous: dict[int, Any] = {}
        self.committed = False

    @property
    def path(self) -> Path:
        """The staging folder: write the new files here."""
        if self._path is None:
            raise RuntimeError("the staged folder is not open")
        return self._path

    def __enter__(self) -> StagedFolder:
        self._install_handlers()
        try:
            self._make_target()
            self._path = Path(tempfile.mkdtemp(prefix=self.prefix, suffix=".tmp", dir=self.target))
        except OSError as err:
            self._cleanup()
            self._restore_handlers()
            raise output_error(err, self.target) from None
        except BaseException:
            self._cleanup()
            self._restore_handlers()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self._cleanup()
        finally:
            self._restore_handlers()

    def commit(self, names: Sequence[str], remove: Iterable[str] = ()) -> None:
        """Take away ``remove`` from ``target``, then move ``names`` (entries of the staging folder) into
        ``target`` in this order, replacing what is there; a symlink there is replaced, never followed.

        SIGINT and SIGTERM wait until the moves are done; a crash in between leaves an earlier
        manifest that no longer matches, so give the manifest last.
        """
        trash = self.path / ".replaced"
        try:
            trash.mkdir()
        except OSError as err:
            raise output_error(err, self.target) from None
        with _signals_blocked(), _locked(self.target):
            for i, name in enumerate(remove):
                if os.path.lexists(self.target / name):
                    self._move(os.rename, name, self.target / name, trash / f"{i}")
            for j, name in enumerate(names):
                source, target = self.path / name, self.target / name
                if source.is_dir() or (target.is_dir() and not target.is_symlink()):
                    if os.path.lexists(target):
                        self._move(os.rename, name, target, trash / f"new-{j}")
                    self._move(os.rename, name, source, target)
                else:
                    self._move(os.replace, name, source, target)
            self.committed = True

    def _move(self, move: Callable[[Path, Path], None], name: str, source: Path, target: Path) -> None:
        try:
            move(source, target)
        except OSError as err:
            raise output_error(err, self.target, name) from None

    def _make_target(self) -> None:
        missing, folder = [], self.target.absolute()
        while not os.path.lexists(folder) and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        if os.path.lexists(self.target) and not self.target.is_dir():
            raise ConfigError("the output folder is a file, not a folder", path=self.target,
                              hint="choose another output folder with -o")
        self.target.mkdir(parents=True, exist_ok=True)
        self._created = missing  # deepest first

    def _cleanup(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None
        if not self.committed:
            for folder in self._created:
                try:
                    folder.rmdir()
                except OSError:
                    break
            self._created = []

    def _install_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set in the main thread
        for signum in _SIGNALS:
            previous = signal.getsignal(signum)
            if previous in (signal.SIG_IGN, None):
                continue  # an ignored signal stays ignored; a handler set outside Python stays
            self._previous[signum] = previous
            signal.signal(signum, self._on_signal)

    def _restore_handlers(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous = {}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous.get(signum, signal.SIG_DFL)
        self._cleanup()
        self._restore_handlers()
        if callable(previous):  # Python's own SIGINT handler raises KeyboardInterrupt
            previous(signum, frame)
            return
        if not self.committed:
            sys.stderr.write(f"Stopped by {signal.Signals(signum).name}: the temporary files were removed; "
                             f"nothing in {self.target} was changed.\n")
            sys.stderr.flush()
        os.kill(os.getpid(), signum)  # the default action: end the process by this signal


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (they arrive afterwards) where the platform allows it."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (advisory, POSIX), so two runs never interleave their moves."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder that cannot be opened for reading is not locked
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def json_text(data: Any) -> str:
    """``data`` as JSON for a file people read: keys sorted, two-space indents, UTF-8 text, a final newline;
    numpy numbers become numbers, NaN becomes null, other values it cannot write as JSON (dates, timestamps,
    objects) become their text. Deterministic (orjson, about ten times faster than the standard library's
    indenting encoder on a report of a million events).

    >>> print(json_text({"b": [1, 0.5], "a": "é"}), end="")
    {
      "a": "é",
      "b": [
        1,
        0.5
      ]
    }
    """
    import numpy as np
    import orjson

    def default(value: Any) -> Any:
        plain = value.item() if isinstance(value, np.generic) else value
        return plain if isinstance(plain, (bool, int, float, str)) else str(plain)

    option = (orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
              | orjson.OPT_PASSTHROUGH_DATACLASS)
    return orjson.dumps(data, option=option, default=default).decode("utf-8") + "\n"
