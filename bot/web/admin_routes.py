"""The /admin routes: sign in with ADMIN_TOKEN, see models/runs/disputes/high losses, act with small forms."""

import mimetypes
from urllib.parse import quote

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.web import admin_auth, admin_view, review
from bot.web.api import client_address
from bot.web.cleaner import highest_losses
from bot.web.errors import BadRequest, NotFound
from bot.web.page import CONTENT_SECURITY_POLICY
from bot.web.reports import run_plots
from bot.web.uploads import read_small_form

BACK_PAGES = ("/admin", "/admin/cleaner")


def routes() -> list[Route]:
    """Every admin route (all answer 404 while ADMIN_TOKEN is unset)."""
    small = {"methods": ["POST"]}
    return [
        Route("/admin", dashboard, methods=["GET"]),
        Route("/admin/cleaner", cleaner, methods=["GET"]),
        Route("/admin/login", login, **small),
        Route("/admin/logout", logout, **small),
        Route("/admin/retrain", retrain, **small),
        Route("/admin/versions/{version}/live", make_live, **small),
        Route("/admin/runs/{run_id:int}/plots/{name}", plot, methods=["GET"]),
        Route("/admin/images/{image_id:int}", photo, methods=["GET"]),
        Route("/admin/images/{image_id:int}/label", relabel, **small),
        Route("/admin/images/{image_id:int}/exclude", exclude, **small),
    ]


async def dashboard(request: Request) -> Response:
    """GET /admin: the page, or the sign-in form."""
    if not admin_auth.is_admin(request):
        return _html(admin_view.login_page(), status=401)
    user = admin_auth.require_admin(request)
    state = request.app.state
    admin, core = state.admin, state.core

    def gather() -> str:
        status = admin.status(user, last_runs=10)
        with core.store.transaction() as session:
            disputed = review.disagreements(session)
            plots = {run.run_id: run_plots(session, admin.data_dir, run.run_id) for run in status.runs}
        cities = [city.name for city in core.cities()]
        return admin_view.dashboard(status, admin.models(user), plots, disputed, cities, request.query_params.get("said"))

    return _html(await to_thread.run_sync(gather))


async def cleaner(request: Request) -> Response:
    """GET /admin/cleaner: the highest-loss photos the last run recorded, checked against today's labels."""
    admin_auth.require_admin(request)
    state = request.app.state
    core = state.core

    def gather() -> str:
        with core.store.transaction() as session:
            view = highest_losses(session, state.admin.data_dir)
        cities = [city.name for city in core.cities()]
        return admin_view.cleaner_page(view, cities, request.query_params.get("said"))

    return _html(await to_thread.run_sync(gather))


async def login(request: Request) -> Response:
    """POST /admin/login: check the token (constant time, rate-limited per address) and open a session."""
    token = admin_auth.configured_token(request)
    request.app.state.login_limit.hit(client_address(request))
    given = (await read_small_form(request)).get("token", "")
    if not admin_auth.token_matches(given, token):
        return _html(admin_view.login_page("That token is not right."), status=401)
    response = RedirectResponse("/admin", status_code=303)
    return admin_auth.open_session(response, token, request.app.state.options.secure_cookies)


async def logout(request: Request) -> Response:
    """POST /admin/logout: forget the session."""
    admin_auth.configured_token(request)
    return admin_auth.close_session(RedirectResponse("/admin", status_code=303))


async def retrain(request: Request) -> Response:
    """POST /admin/retrain: start a training run (or hear which one is already running)."""
    user = admin_auth.require_admin(request)
    outcome = await to_thread.run_sync(request.app.state.admin.retrain, user, "web")
    return _back(outcome.message)


async def make_live(request: Request) -> Response:
    """POST /admin/versions/{version}/live: promote a candidate or roll back to an older version."""
    user = admin_auth.require_admin(request)
    message = await to_thread.run_sync(request.app.state.admin.rollback, user, request.path_params["version"])
    return _back(message)


async def plot(request: Request) -> Response:
    """GET /admin/runs/{id}/plots/{name}: one of the run's report plots (only names the report lists)."""
    admin_auth.require_admin(request)
    state = request.app.state

    def listed() -> list:
        with state.core.store.transaction() as session:
            return run_plots(session, state.admin.data_dir, request.path_params["run_id"])

    for path in await to_thread.run_sync(listed):
        if path.name == request.path_params["name"]:
            return FileResponse(path, media_type="image/png")
    raise NotFound("no such plot")


async def photo(request: Request) -> Response:
    """GET /admin/images/{id}: a stored photo, for the cards."""
    admin_auth.require_admin(request)
    store = request.app.state.core.store

    def read() -> tuple[bytes, str]:
        with store.transaction() as session:
            image = review.image_or_404(session, request.path_params["image_id"])
            return store.files.read(image.path), image.path

    data, path = await to_thread.run_sync(read)
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(data, media_type=media_type, headers={"X-Content-Type-Options": "nosniff"})


async def relabel(request: Request) -> Response:
    """POST /admin/images/{id}/label (form field city): the admin's label, which overrides every vote."""
    user = admin_auth.require_admin(request)
    form = await read_small_form(request)
    city = form.get("city", "").strip()
    if not city:
        raise BadRequest("choose a city")
    image_id = request.path_params["image_id"]

    def store_label() -> str:
        with request.app.state.core.store.transaction() as session:
            return review.relabel(session, image_id, city, user)

    name = await to_thread.run_sync(store_label)
    return _back(f"Photo {image_id} is now labelled {name}.", form.get("back"))


async def exclude(request: Request) -> Response:
    """POST /admin/images/{id}/exclude (form field excluded=1|0): remove from training, or put back."""
    admin_auth.require_admin(request)
    form = await read_small_form(request)
    excluded = form.get("excluded", "1") != "0"
    image_id = request.path_params["image_id"]

    def store_flag() -> None:
        with request.app.state.core.store.transaction() as session:
            review.set_excluded(session, image_id, excluded)

    await to_thread.run_sync(store_flag)
    return _back(f"Photo {image_id} {'removed from' if excluded else 'put back into'} training.", form.get("back"))


def _back(message: str, page: str | None = None) -> Response:
    # Only our own two pages: a form field must not turn this into an open redirect.
    target = page if page in BACK_PAGES else "/admin"
    return RedirectResponse(f"{target}?said={quote(message)}", status_code=303)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
