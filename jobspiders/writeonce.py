"""Files written once, front to back, that this program does not read again: the published lists and
each crawl's feed. Their pages are let go of the kernel's page cache as they are written, so that a big
file is written through the same few MB of memory instead of hundreds of MB of fresh pages.

Fresh pages are not free everywhere. On a virtual machine that hands the memory its guest leaves unused
back to the host (a balloon device with free page reporting, as on this project's Firecracker machine),
the first write into such memory waits for the host: writing 800 MB into a new file took 1.7-2.3 s
there, nearly all of it copying into the page cache, against 0.15-0.2 s into pages freed just before,
and 0.4 s (the final fsync included) when the written pages were let go every 16 MB
(benchmarks/PERFORMANCE.md, twentieth round). Elsewhere it costs little: the kernel writes the pages
back sooner than it would have (the lists are fsynced anyway), and whoever reads the file next reads it
from disk.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

# How much is written between two calls that let the written pages go: the memory a file is written
# through; each call costs a few µs and starts the writing back of what it cannot drop yet.
DROP_EVERY = 16 << 20
_DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", None)  # None where the system has no posix_fadvise


class WrittenOnceFile(io.FileIO):
    """A raw file (`io.FileIO`) that, every `DROP_EVERY` bytes written, asks the kernel to write back
    its dirty pages and drop the clean ones (``POSIX_FADV_DONTNEED``); pages still being written back
    are dropped by the next call, and by `close` once the file was that big. Where ``posix_fadvise``
    does not exist it is a plain `io.FileIO`."""

    def __init__(self, file: str | Path | int, mode: str = "wb", closefd: bool = True) -> None:
        super().__init__(file, mode, closefd)
        self._unsettled = 0
        self.drops = 0  # how many times pages were let go (the tests read it)

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        written = super().write(data)
        if written and _DONTNEED is not None:
            self._unsettled += written
            if self._unsettled >= DROP_EVERY:
                self._unsettled = 0
                self.drop_written()
        return written or 0

    def drop_written(self) -> None:
        """Let go of the file's pages written so far (the ones already written back; the others start)."""
        if _DONTNEED is None:
            return
        try:
            os.posix_fadvise(self.fileno(), 0, 0, _DONTNEED)
        except OSError:  # a hint: a file system that refuses it only keeps its pages
            return
        self.drops += 1

    def close(self) -> None:
        if self.drops and not self.closed:
            self.drop_written()
        super().close()


def open_written_once(
    file: str | Path | int, mode: str = "wb", *, buffering: int = io.DEFAULT_BUFFER_SIZE
) -> IO[bytes]:
    """``file`` opened for writing in binary ``mode`` ("wb", "ab", "xb") through a `WrittenOnceFile`,
    with a ``buffering`` bytes buffer; an int is a file descriptor, closed with the file."""
    if "b" not in mode or "r" in mode or "+" in mode:
        raise ValueError(f"a written-once file is opened to write bytes only, not {mode!r}")
    raw = WrittenOnceFile(file, mode)
    try:
        return io.BufferedWriter(raw, buffer_size=buffering)
    except BaseException:
        raw.close()
        raise
