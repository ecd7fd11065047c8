"""Static files: content-hashed URLs cached for a year, and compressed by the app.

`url_for('static', filename=...)` gets `?v=<digest of the file's content>` from a manifest of
every file under static/, computed once at start-up. A request that names the current digest
is answered with a year-long immutable cache, so a browser never asks again; a changed file has
another digest, hence another URL, so a deploy is seen at once. A URL without the digest, or with
an old one (a page kept open across a deploy), still gets the file, revalidated every time.
In debug mode the digest is taken from the file as it is now, so an edited file shows at once.
"""

import hashlib
import os
from pathlib import Path

from flask import Flask, current_app, request
from flask_compress import Compress

YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR}, immutable"
DIGEST_LENGTH = 12

compress = Compress()


def file_digest(path: Path) -> str:
    """The first hex digits of the SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:DIGEST_LENGTH]


def digests(folder: str | os.PathLike) -> dict[str, str]:
    """Every file under `folder`, by its path as `url_for` names it (forward slashes), to its digest."""
    root = Path(folder)
    return {path.relative_to(root).as_posix(): file_digest(path)
            for path in sorted(root.rglob("*")) if path.is_file()}


def digest_of(filename: str) -> str | None:
    """The digest a static file's URL carries now, or None for a file that is not there."""
    if current_app.debug:
        path = Path(current_app.static_folder, filename)
        return file_digest(path) if path.is_file() else None
    return current_app.extensions["static_digests"].get(filename)


def _add_digest(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = digest_of(values["filename"])
        if digest:
            values["v"] = digest


def _cache_versioned_files(response):
    """A static file asked for by its current digest is kept a year; any other is revalidated."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == digest_of(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def _read_static_file_whole(response):
    """A static file read into memory before it is compressed.

    Flask sends it as a stream, and Flask-Compress compresses a stream without closing the file
    beneath it (and without answering If-None-Match). The largest file here is a few hundred KB.
    """
    if request.endpoint == "static" and response.status_code == 200 and response.direct_passthrough:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def init_app(app: Flask) -> None:
    app.extensions["static_digests"] = digests(app.static_folder)
    app.url_defaults(_add_digest)
    app.after_request(_cache_versioned_files)
    # Behind a proxy that compresses (nginx's gzip on), COMPRESS_RESPONSES=0 leaves it to the proxy.
    if app.config.get("COMPRESS_RESPONSES", True):
        compress.init_app(app)
        # Registered after Flask-Compress, so it runs before it.
        app.after_request(_read_static_file_whole)
