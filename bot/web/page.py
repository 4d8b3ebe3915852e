"""GET /: the upload page, with the model's state rendered on the server so it reads right without JS."""

import html
from functools import lru_cache
from importlib import resources

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.web.failures import NOT_TRAINED_HINT
from bot.web.visitors import remember_visitor, visitor_id

PLACEHOLDER = "<!--STATUS-->"
# Everything the page loads comes from us; no inline script, so injected markup cannot run.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; frame-ancestors 'none'"


@lru_cache(maxsize=1)
def page_template() -> str:
    """The page's HTML, read once from the package."""
    return resources.files("bot.web").joinpath("static/index.html").read_text(encoding="utf-8")


def status_html(version: str | None, needs: dict[str, int]) -> str:
    """The line under the title: the live version, or how to get a first model."""
    if version is not None:
        return f'<p class="status live" data-version="{html.escape(version)}">Model {html.escape(version)}</p>'
    missing = ", ".join(f"{html.escape(city)}: {count} more" for city, count in sorted(needs.items()))
    detail = f" Photos still needed — {missing}." if missing else ""
    return f'<p class="status cold" data-version="">{html.escape(NOT_TRAINED_HINT)}{detail}</p>'


async def index(request: Request) -> Response:
    """The upload page; mints the visitor cookie so labels from this browser belong together."""
    core = request.app.state.core
    predictor = await to_thread.run_sync(core.live_model.current)
    needs = {} if predictor is not None else (await to_thread.run_sync(core.cold_start)).needs
    body = page_template().replace(PLACEHOLDER, status_html(predictor.version if predictor else None, needs))
    visitor_id(request)
    response = HTMLResponse(body, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
    return remember_visitor(request, response, request.app.state.options.secure_cookies)
