"""Receiving uploads: a full disk while Django writes a large upload to a temporary file.

Django parses a request's files before any view runs (the CSRF middleware reads the
POST), writing uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file of this host.
When the disk (or quota) is full there, Django's own handler raises OSError, the request
becomes a 500 and the part written waits for garbage collection. This handler deletes
the part at once, stops the upload, and marks the request, so the upload page can say
what happened (`request.upload_disk_full`).
"""

from __future__ import annotations

import contextlib
import errno

from django.core.files import uploadhandler


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        try:
            return super().new_file(*args, **kwargs)
        except OSError as exc:
            self._disk_full(exc)

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as exc:
            self._disk_full(exc)

    def file_complete(self, file_size):
        try:
            return super().file_complete(file_size)  # flushes the last buffered write
        except OSError as exc:
            self._disk_full(exc)

    def _disk_full(self, exc: OSError):
        if not is_disk_full(exc):
            raise exc
        file = getattr(self, "file", None)
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()  # a named temporary file: closing deletes it
        if self.request is not None:
            self.request.upload_disk_full = True
        raise uploadhandler.StopUpload(connection_reset=False) from exc
