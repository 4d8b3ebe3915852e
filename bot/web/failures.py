"""Every error the web app answers, mapped to a status and a JSON body saying what was wrong."""

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.batcher import Busy
from bot.core.errors import NotAuthorised, NotTrained, RateLimited, UnknownPrediction, UnknownVersion
from bot.web.errors import WebError
from storage.errors import BadImage, DuplicateCity, UnknownCity
from storage.versions import VersionError

log = logging.getLogger(__name__)

NOT_TRAINED_HINT = (
    "No model is live yet. Add labelled photos (citybot import FOLDER, citybot gather, or photos sent to the bot "
    "with the city as caption), then run citybot train."
)


def error_response(status: int, message: str, **extra: object) -> JSONResponse:
    """The one JSON error shape: {"error": message, ...extra}."""
    return JSONResponse({"error": message, **extra}, status_code=status)


async def web_error(request: Request, error: Exception) -> Response:
    """Our own named errors carry their status."""
    assert isinstance(error, WebError)
    return error_response(error.status, str(error))


async def bad_image(request: Request, error: Exception) -> Response:
    """Bytes that are no usable image: 400 (413 for images too large to decode safely)."""
    status = 413 if "too large" in str(error) else 400
    return error_response(status, f"bad image: {error}")


async def not_trained(request: Request, error: Exception) -> Response:
    """No live model yet: 503 with what each city still needs."""
    assert isinstance(error, NotTrained)
    return error_response(503, NOT_TRAINED_HINT, needs=error.needs)


async def rate_limited(request: Request, error: Exception) -> Response:
    """Too many photos a minute: 429 with Retry-After."""
    assert isinstance(error, RateLimited)
    response = error_response(429, str(error), retry_after=error.retry_after)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


async def busy(request: Request, error: Exception) -> Response:
    """The model queue is full: 503, try again shortly."""
    response = error_response(503, str(error))
    response.headers["Retry-After"] = "1"
    return response


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's own errors (404, 405, 413 from the body limit) in the same JSON shape."""
    assert isinstance(error, HTTPException)
    message = {413: "the upload is larger than the size limit", 404: "not found"}.get(error.status_code, error.detail)
    return error_response(error.status_code, message)


async def unexpected(request: Request, error: Exception) -> Response:
    """A bug: logged with its traceback; the user gets a short apology, never the traceback."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "sorry, something went wrong on our side; it has been logged")


def _status(status: int):
    async def handler(request: Request, error: Exception) -> Response:
        return error_response(status, str(error))

    handler.__doc__ = f"Answered with {status} and the error's own message."
    return handler


EXCEPTION_HANDLERS = {
    WebError: web_error,
    BadImage: bad_image,
    NotTrained: not_trained,
    RateLimited: rate_limited,
    Busy: busy,
    UnknownPrediction: _status(404),
    UnknownVersion: _status(404),
    UnknownCity: _status(400),
    DuplicateCity: _status(409),
    VersionError: _status(409),
    NotAuthorised: _status(403),
    HTTPException: http_error,
    Exception: unexpected,
}
