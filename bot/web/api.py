"""The JSON routes: classify an upload or a URL, record a confirmation/correction, health."""

import time
import uuid

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.errors import UnknownPrediction
from bot.core.results import Answer
from bot.web.errors import BadRequest
from bot.web.ownership import owns_prediction
from bot.web.uploads import read_json, read_photo
from bot.web.visitors import PLATFORM, remember_visitor, visitor


async def classify_upload(request: Request) -> Response:
    """POST /api/classify: the photo in multipart field `file` → ranked cities and the model version."""
    request.app.state.address_limit.hit(client_address(request))
    data = await read_photo(request, request.app.state.options.max_upload_bytes)
    return await _classified(request, data)


async def classify_url(request: Request) -> Response:
    """GET /classify-url?url=...: the course's route, fetching the photo safely first."""
    url = request.query_params.get("url", "")
    if not url.strip():
        raise BadRequest("add the photo's address: /classify-url?url=https://...")
    request.app.state.address_limit.hit(client_address(request))
    fetched = await request.app.state.fetcher.fetch(url)
    return await _classified(request, fetched.data)


async def record_label(request: Request) -> Response:
    """POST /api/labels {"prediction_id": n, "city": "Munich" | null}: confirm, correct, or "none of these"."""
    body = await read_json(request)
    prediction_id, city = body.get("prediction_id"), body.get("city")
    if not isinstance(prediction_id, int) or isinstance(prediction_id, bool):
        raise BadRequest("prediction_id must be the number the classify answer gave")
    if city is not None and (not isinstance(city, str) or not city.strip()):
        raise BadRequest("city must be a city name, or null for none of these")
    user = visitor(request)
    core = request.app.state.core
    if not await to_thread.run_sync(owns_prediction, core.store, prediction_id, PLATFORM, user.external_id):
        raise UnknownPrediction()
    outcome = await to_thread.run_sync(core.answer, prediction_id, user, city)
    body = {
        "prediction_id": outcome.prediction_id,
        "city": outcome.city,
        "kind": outcome.kind,
        "model_version": outcome.model_version,
        "changed": outcome.changed,
    }
    return remember_visitor(request, JSONResponse(body), request.app.state.options.secure_cookies)


async def health(request: Request) -> Response:
    """GET /api/health: live model version, uptime and label counts, for a host's health check."""
    core = request.app.state.core
    predictor = await to_thread.run_sync(core.live_model.current)
    cold = await to_thread.run_sync(core.cold_start)
    return JSONResponse(
        {
            "status": "ok",
            "model_version": predictor.version if predictor is not None else None,
            "uptime_seconds": round(time.monotonic() - request.app.state.started, 1),
            "labels": cold.counts,
            "needs": cold.needs,
        }
    )


def client_address(request: Request) -> str:
    """The peer address, for the per-address rate limit (cookies are easy to drop)."""
    return request.client.host if request.client is not None else "unknown"


async def _classified(request: Request, data: bytes) -> Response:
    core = request.app.state.core
    # Each web request is its own "message": a fresh ref, so a re-upload is answered by the current model.
    source_ref = f"upload:{uuid.uuid4().hex}"
    answer: Answer = await to_thread.run_sync(core.classify, data, visitor(request), PLATFORM, source_ref)
    body = {
        "predictions": [[city, probability] for city, probability in answer.ranking],
        "model_version": answer.model_version,
        "prediction_id": answer.prediction_id,
        "sure": answer.sure,
    }
    return remember_visitor(request, JSONResponse(body), request.app.state.options.secure_cookies)
