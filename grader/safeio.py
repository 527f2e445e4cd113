"""Reading files on the grader's (root) side without following what someone else could plant.

:func:`read_regular` opens with ``O_NOFOLLOW | O_NONBLOCK`` (a symlink is refused, a FIFO
cannot block), checks with ``fstat`` that it is a regular file and reads at most ``limit``
bytes. :func:`is_regular` decides by ``lstat`` alone, never opening anything.
"""
from __future__ import annotations

import errno
import os
import stat

__all__ = ["NotRegular", "read_regular", "is_regular", "kind_of"]


class NotRegular(OSError):
    """The path is a symlink, FIFO, device, socket or folder, or larger than allowed."""


def kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def is_regular(path) -> tuple[bool, str]:
    """-> (True, "") for a regular file, else (False, what it is) -- by ``lstat``, never opened."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return False, f"cannot be read ({e.strerror})"
    return (True, "") if stat.S_ISREG(st.st_mode) else (False, kind_of(st.st_mode))


def read_regular(path, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); :class:`NotRegular` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegular(errno.ELOOP, "a symbolic link (only regular files are read)") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(errno.EINVAL, f"{kind_of(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise NotRegular(errno.EFBIG, f"too large ({st.st_size >> 20} MB; at most {limit >> 20} MB)")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotRegular(errno.EFBIG, f"grew beyond {limit >> 20} MB while being read")
        return b"".join(chunks)
    finally:
        os.close(fd)
