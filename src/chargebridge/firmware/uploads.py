"""Uploaded files go to disk as they arrive: never whole in memory.

:func:`spool` reads a body chunk by chunk into a temporary file in the node's data directory,
hashing it (SHA-256) as it goes, and stops with :class:`UploadTooLarge` as soon as the file
passes its limit. A ``multipart/form-data`` body is parsed as a stream (python-multipart): the
first part with a file name is kept (the first part, if none has one), other parts are skipped.
The caller moves the finished :class:`Spooled` file into place or discards it.

Writes and hashing run in a worker thread in batches of :data:`BATCH` bytes, so the event loop
(which the OCPP gateway shares) only copies chunks into a buffer.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

BATCH = 1024 * 1024


class UploadTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the file is larger than {limit} bytes")
        self.limit = limit


class BadUpload(Exception):
    """A multipart body that cannot be parsed or holds no part."""


@dataclass(frozen=True, slots=True)
class Spooled:
    path: Path  # a temporary file: move it into place or discard it
    size: int
    sha256: str
    filename: str | None  # the multipart part's file name, if any

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class _Sink:
    """One temporary file, hashed while written, with a size limit."""

    def __init__(self, directory: Path, limit: int):
        fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._limit = limit
        self.size = 0

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise UploadTooLarge(self._limit)
        self._buffer += data
        if len(self._buffer) >= BATCH:
            await self._flush()

    async def _flush(self) -> None:
        batch, self._buffer = bytes(self._buffer), bytearray()
        await asyncio.to_thread(self._write_batch, batch)

    def _write_batch(self, batch: bytes) -> None:
        self._hash.update(batch)
        self._file.write(batch)

    async def finish(self, filename: str | None) -> Spooled:
        await self._flush()
        await asyncio.to_thread(self._file.close)
        return Spooled(self.path, self.size, self._hash.hexdigest(), filename)

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def _is_multipart(content_type: str | None) -> bool:
    return content_type is not None and content_type.lower().lstrip().startswith("multipart/form-data")


async def spool(chunks: AsyncIterator[bytes], content_type: str | None, directory: Path, limit: int) -> Spooled:
    """The body (or its file part) as a temporary file in ``directory``; raises UploadTooLarge, BadUpload."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    if not _is_multipart(content_type):
        sink = _Sink(directory, limit)
        try:
            async for chunk in chunks:
                await sink.write(chunk)
            return await sink.finish(None)
        except BaseException:
            sink.discard()
            raise
    assert content_type is not None
    return await _spool_multipart(chunks, content_type, directory, limit)


async def _spool_multipart(chunks: AsyncIterator[bytes], content_type: str, directory: Path, limit: int) -> Spooled:
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadUpload("the multipart body has no boundary")
    # The parser calls back synchronously; events are queued and applied (with awaits) after each write.
    events: list[tuple[str, Any]] = []
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        events.append(("header", (bytes(header["field"]).lower(), bytes(header["value"]))))
        header["field"], header["value"] = bytearray(), bytearray()

    callbacks: Any = {
        "on_part_begin": lambda: events.append(("begin", None)),
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": lambda: events.append(("headers", None)),
        "on_part_data": lambda data, start, end: events.append(("data", data[start:end])),
        "on_part_end": lambda: events.append(("end", None)),
    }
    parser = MultipartParser(boundary, callbacks)
    kept: Spooled | None = None
    current: _Sink | None = None
    current_name: str | None = None
    part_name: str | None = None
    try:
        async for chunk in chunks:
            try:
                parser.write(chunk)
            except MultipartParseError as exc:
                raise BadUpload(f"the multipart body cannot be parsed: {exc}") from None
            for kind, value in events:
                if kind == "begin":
                    part_name = None
                elif kind == "header" and value[0] == b"content-disposition":
                    filename = parse_options_header(value[1])[1].get(b"filename")
                    part_name = filename.decode("utf-8", "replace") if filename is not None else None
                elif kind == "headers":
                    # Keep this part if nothing is kept yet, or it is a file and the kept part is not.
                    if kept is None or (kept.filename is None and part_name is not None):
                        current, current_name = _Sink(directory, limit), part_name
                elif kind == "data" and current is not None:
                    await current.write(value)
                elif kind == "end" and current is not None:
                    finished = await current.finish(current_name)
                    current = None
                    if kept is not None:
                        kept.discard()
                    kept = finished
            events.clear()
        parser.finalize()
    except BaseException:
        if current is not None:
            current.discard()
        if kept is not None:
            kept.discard()
        raise
    if current is not None:  # the body ended inside a part
        current.discard()
        if kept is not None:
            kept.discard()
        raise BadUpload("the multipart body ended inside a part")
    if kept is None:
        raise BadUpload("no file in the multipart body")
    return kept


async def file_chunks(path: Path, size: int = BATCH) -> AsyncIterator[bytes]:
    """A local file as chunks (read in a worker thread), for :func:`spool`."""
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, size):
            yield chunk


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(BATCH):
            digest.update(chunk)
    return digest.hexdigest()
