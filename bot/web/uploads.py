"""Reading request bodies with caps: the uploaded photo (multipart field `file`) and small JSON bodies."""

import json
from typing import Any, AsyncIterator

from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request

from bot.web.errors import BadRequest, UploadTooLarge

FIELD = "file"
JSON_LIMIT = 16_384
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the photo


async def capped_stream(request: Request, max_bytes: int, what: str) -> AsyncIterator[bytes]:
    """The request body in chunks, stopping with UploadTooLarge once it passes `max_bytes` (declared or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise UploadTooLarge(f"{what} is larger than {_megabytes(max_bytes)}")
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise UploadTooLarge(f"{what} is larger than {_megabytes(max_bytes)}")
        yield chunk


async def read_photo(request: Request, max_bytes: int) -> bytes:
    """The bytes of the uploaded photo, refusing a missing field, an empty file or one over the cap."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest(f"send the photo as multipart/form-data in a field called {FIELD!r}")
    stream = capped_stream(request, max_bytes + MULTIPART_OVERHEAD, "the photo")
    try:
        form = await MultiPartParser(request.headers, stream, max_files=1, max_fields=4).parse()
    except MultiPartException as error:
        raise BadRequest(f"the upload could not be read ({error})") from None
    try:
        upload = form.get(FIELD)
        if upload is None or isinstance(upload, str):
            raise BadRequest(f"no photo: add the image file in a field called {FIELD!r}")
        data = await upload.read(max_bytes + 1)
    finally:
        await form.close()
    if len(data) > max_bytes:
        raise UploadTooLarge(f"the photo is larger than {_megabytes(max_bytes)}")
    if not data:
        raise BadRequest("bad image: the file is empty (0 bytes)")
    return data


async def read_json(request: Request) -> dict[str, Any]:
    """A small JSON object body, or BadRequest saying what is wrong with it."""
    body = b"".join([chunk async for chunk in capped_stream(request, JSON_LIMIT, "the request body")])
    try:
        value = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("the body must be a JSON object")
    return value


async def read_small_form(request: Request) -> dict[str, str]:
    """The text fields of a small HTML form post (urlencoded or multipart, no files)."""
    stream = capped_stream(request, JSON_LIMIT, "the form")
    kind = request.headers.get("content-type", "")
    try:
        if kind.startswith("multipart/form-data"):
            form = await MultiPartParser(request.headers, stream, max_files=0, max_fields=8).parse()
        else:
            form = await FormParser(request.headers, stream).parse()
    except MultiPartException as error:
        raise BadRequest(f"the form could not be read ({error})") from None
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"
