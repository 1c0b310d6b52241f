"""Packed inputs: ``.zip``, ``.gz``, ``.bz2`` and ``.xz`` around any supported kind.

The packing is recognised from the bytes, never the name (see
:func:`~ssc_mining.loaders.sniff.detect_kind`). A zip archive must hold one
file, or the one to read is named (``--member``). Unpacking streams through
the limits of :mod:`ssc_mining.loaders.limits`: it stops as soon as more
bytes come out than allowed, or they come out so many times faster than they
go in that the file is a decompression bomb. The provenance keeps the SHA-256
of the file as given (the packed bytes); the notes say how it was unpacked.

Example:
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tickets.csv.gz"
    >>> _ = path.write_bytes(gzip.compress(b"case,activity,time\\n1,a,2024-01-01\\n"))
    >>> with open_unpacked(path) as plain:
    ...     plain.read(4), len(plain.read()), plain.packing
    (b'case', 30, 'gzip')
    >>> plain.note()
    'unpacked from gzip: 34 bytes from 52 (the SHA-256 is of the packed file)'
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ssc_mining.errors import EmptyInputError, FormatError, InputError
from ssc_mining.i18n import N_
from ssc_mining.loaders.limits import Limits, current
from ssc_mining.loaders.sniff import PACKED, detect_kind, kind_of

_BLOCK = 1 << 20


class _Counted(io.RawIOBase):
    """The packed file, counting the bytes taken from it (for the packing ratio)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def readinto(self, buffer: Any) -> int:
        n = self.handle.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0


class Unpacked(io.RawIOBase):
    """The plain bytes of an input, within the byte budget and the packing ratio."""

    def __init__(self, inner: IO[bytes] | io.RawIOBase, packed: _Counted, *, path: Path, limits: Limits,
                 packing: str | None, member: str | None, members: int = 1) -> None:
        self.inner, self.packed, self.path, self.limits = inner, packed, path, limits
        self.packing, self.member, self.members = packing, member, members
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inner.readinto(buffer) or 0  # type: ignore[union-attr]  # zip, gzip, bz2, xz files have it
        self.size += n
        self.limits.check_bytes(self.size, path=self.path)
        if self.packing:
            self.limits.check_ratio(self.size, self.packed.count, path=self.path)
        return n

    @property
    def details(self) -> dict[str, Any]:
        """What the provenance records about the packing (empty for a plain file)."""
        if not self.packing:
            return {}
        return {"packing": self.packing, "member": self.member, "unpacked_bytes": self.size}

    def note(self) -> str | None:
        """A provenance note on how the input was unpacked, or ``None`` for a plain file."""
        if not self.packing:
            return None
        sizes = {"size": f"{self.size:,}", "packed": f"{self.path.stat().st_size:,}"}
        if self.member is not None:
            text = (N_("read %(member)s from the zip archive (%(n)s files): %(size)s bytes from %(packed)s (the "
                       "SHA-256 is of the archive)") if self.members > 1 else
                    N_("read %(member)s from the zip archive (%(n)s file): %(size)s bytes from %(packed)s (the "
                       "SHA-256 is of the archive)"))
            return text % {"member": repr(self.member), "n": self.members, **sizes}
        return N_("unpacked from %(packing)s: %(size)s bytes from %(packed)s (the SHA-256 is of the packed file)") \
            % {"packing": self.packing, **sizes}


@contextlib.contextmanager
def open_unpacked(path: Path, *, member: str | None = None, limits: Limits | None = None) -> Iterator[Unpacked]:
    """Open ``path`` as a stream of its plain bytes, unpacking it when it is packed.

    A plain file is passed through with the byte budget (its size is checked first).
    """
    limits = limits or current()
    kind = detect_kind(path)
    with path.open("rb") as handle:
        packed = _Counted(handle)
        if kind not in PACKED:
            limits.check_bytes(path.stat().st_size, path=path)
            yield Unpacked(packed, packed, path=path, limits=limits, packing=None, member=None)
            return
        if kind == "zip":
            with zipfile.ZipFile(packed) as archive:
                info, count = choose_member(archive, member, path=path, limits=limits)
                with _open_member(archive, info, path) as inner:
                    yield Unpacked(inner, packed, path=path, limits=limits, packing="zip", member=info.filename,
                                   members=count)
            return
        stream: IO[bytes] = (gzip.GzipFile(fileobj=packed, mode="rb") if kind == "gzip"  # type: ignore[assignment]
                              else bz2.BZ2File(packed) if kind == "bz2"
                              # typeshed wants IO[bytes] of LZMAFile; any readable binary file object does
                              else lzma.LZMAFile(packed))  # type: ignore[arg-type]
        with stream as inner:
            yield Unpacked(inner, packed, path=path, limits=limits, packing=kind, member=None)


def peek_kind(path: Path, *, member: str | None = None) -> str | None:
    """The kind of the file inside a packed one, from its first unpacked bytes (``None`` if not recognised)."""
    with open_unpacked(path, member=member) as plain:
        head = plain.read(8192)
    try:
        return kind_of(head)
    except (FormatError, EmptyInputError):
        return None


@dataclass
class Spilled:
    """A packed input unpacked into a temporary file."""

    path: Path
    details: dict[str, Any]
    note: str | None


def spill(path: Path, folder: Path, *, member: str | None = None, limits: Limits | None = None) -> Spilled:
    """Unpack ``path`` into ``folder`` (streaming, within the limits) and return the plain file."""
    with open_unpacked(path, member=member, limits=limits) as plain:
        name = PurePosixPath(plain.member).name if plain.member else path.name
        target = folder / (name.removesuffix({"gzip": ".gz", "bz2": ".bz2", "xz": ".xz"}.get(plain.packing or "", ""))
                           or "input")
        with target.open("wb") as out:
            shutil.copyfileobj(plain, out, _BLOCK)
    if plain.size == 0:
        raise EmptyInputError(f"the {plain.packing} file unpacks to nothing (0 bytes)", path=path,
                              hint="export the tickets again; the packed file has no content")
    return Spilled(target, plain.details, plain.note())


def choose_member(archive: zipfile.ZipFile, member: str | None, *, path: Path,
                  limits: Limits) -> tuple[zipfile.ZipInfo, int]:
    """The one file of ``archive`` to read (and how many it holds), checked against the limits before unpacking."""
    files = [info for info in archive.infolist() if not info.is_dir() and not _is_clutter(info.filename)]
    names = [info.filename for info in files]
    listed = ", ".join(repr(n) for n in names[:20]) + (f" and {len(names) - 20:,} more" if len(names) > 20 else "")
    if not files:
        raise EmptyInputError("the zip archive holds no files", path=path, hint="pack the export file itself")
    if member is not None:
        found = [i for i in files if i.filename == member] or \
                [i for i in files if PurePosixPath(i.filename).name == member]
        if len(found) != 1:
            raise InputError(f"the zip archive has {'no' if not found else 'several'} files named {member!r}; "
                             f"it holds {listed}", path=path, hint="give the name as listed with --member NAME")
        info = found[0]
    elif len(files) > 1:
        raise InputError(f"the zip archive holds {len(files):,} files: {listed}; which one should be read?",
                         path=path, hint=f"name it with --member NAME (e.g. --member {names[0]!r}), or with "
                                         '[input] member = "NAME" in the mapping file')
    else:
        info = files[0]
    if info.flag_bits & 0x1:
        raise FormatError(f"the file {info.filename!r} in the zip archive is encrypted", path=path,
                          hint="unpack it with its password first, and give the export itself")
    what = f"the file {info.filename!r} in the zip archive"
    limits.check_bytes(info.file_size, path=path, what=what)
    limits.check_ratio(info.file_size, info.compress_size, path=path, what=what, declared=True)
    return info, len(files)


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> IO[bytes]:
    try:
        return archive.open(info)
    except NotImplementedError as err:  # e.g. Deflate64, which Windows uses for archives over 2 GB
        raise FormatError(f"the zip archive uses a packing method that cannot be read ({err})", path=path,
                          hint="pack the export again with ordinary zip (deflate), or as .gz") from None


def _is_clutter(name: str) -> bool:
    """macOS resource forks and Finder files that archivers add next to the real file."""
    base = PurePosixPath(name).name
    return name.startswith("__MACOSX/") or base.startswith("._") or base in (".DS_Store", "Thumbs.db")
