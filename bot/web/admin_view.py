"""The admin page's HTML: plain server-rendered sections, every value escaped, every action a small form."""

from html import escape
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from bot.core.admin import RunReport, StatusReport, VersionInfo
from bot.web.cleaner import CleanerView
from bot.web.review import Disagreement

HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>citybot admin</title><link rel="stylesheet" href="/static/admin.css"></head><body><main>'
)
FOOT = "</main></body></html>"


def login_page(problem: Optional[str] = None) -> str:
    """The token form shown to anyone not signed in."""
    note = f'<p class="error">{escape(problem)}</p>' if problem else ""
    return (
        f"{HEAD}<h1>citybot admin</h1>{note}"
        '<form method="post" action="/admin/login" class="login">'
        '<label for="token">Admin token</label> <input id="token" name="token" type="password" autocomplete="off">'
        ' <button type="submit">Sign in</button></form>'
        f"{FOOT}"
    )


def dashboard(
    status: StatusReport,
    models: Sequence[VersionInfo],
    plots: Mapping[int, Sequence[Path]],
    disputed: Sequence[Disagreement],
    cities: Sequence[str],
    said: Optional[str],
) -> str:
    """The admin page: status, versions, runs with plots, disputed photos."""
    return "".join(
        [
            _header(said),
            _status(status),
            _versions(models),
            _runs(status.runs, plots),
            _disagreements(disputed, cities),
            FOOT,
        ]
    )


def cleaner_page(view: CleanerView, cities: Sequence[str], said: Optional[str]) -> str:
    """The cleaner: the last run's highest-loss photos with relabel / remove buttons."""
    cards = [
        _photo_card(
            loss.image_id,
            f"{escape(loss.split)}: labelled <b>{escape(loss.actual)}</b>, predicted <b>{escape(loss.predicted)}</b>; "
            f"p({escape(loss.actual)}) {_percent(loss.probability)}, loss {loss.loss:.2f}",
            cities,
            loss.excluded,
            back="/admin/cleaner",
            selected=loss.predicted,
        )
        for loss in view.photos
    ]
    scored = f"Model {escape(view.version)} (the last run's candidate): the worst photos of each split it recorded, judged by today's labels." if view.version else ""
    note = f"<p>{escape(view.note)}</p>" if view.note else ""
    body = f'<div class="cards">{"".join(cards)}</div>' if cards else ""
    return f'{_header(said)}<section id="cleaner"><h2>Cleaner: highest-loss photos</h2><p>{scored}</p>{note}{body}</section>{FOOT}'


def _header(said: Optional[str]) -> str:
    flash = f'<p class="said">{escape(said)}</p>' if said else ""
    return (
        f'{HEAD}<header><h1><a href="/admin">citybot admin</a></h1><nav><a href="/admin/cleaner">Cleaner</a> '
        '<form method="post" action="/admin/logout" class="inline"><button>Sign out</button></form></nav></header>'
        f"{flash}"
    )


def _status(status: StatusReport) -> str:
    live = escape(status.live_version or "none yet")
    counts = ", ".join(f"{escape(city)}: {count}" for city, count in sorted(status.counts.items()))
    return (
        '<section id="status"><h2>Now</h2>'
        f"<p>Live model: <b>{live}</b> (accuracy {_percent(status.live_accuracy)}). Labelled photos: {counts}. "
        f"Unlabelled: {status.pending}.</p>"
        '<form method="post" action="/admin/retrain"><button class="primary">Retrain now</button></form></section>'
    )


def _versions(models: Sequence[VersionInfo]) -> str:
    rows = []
    for model in models:
        action = (
            "live"
            if model.status == "live"
            else f'<form method="post" action="/admin/versions/{escape(model.version)}/live"><button>Make live</button></form>'
        )
        rows.append(
            f"<tr><td>{escape(model.version)}</td><td>{escape(model.status)}</td><td>{_percent(model.accuracy)}</td>"
            f"<td>{escape(model.reason or '')}</td><td>{escape(str(model.created_at)[:19])}</td><td>{action}</td></tr>"
        )
    body = "".join(rows) or '<tr><td colspan="6">No model versions yet.</td></tr>'
    return (
        '<section id="versions"><h2>Model versions</h2><table><tr><th>version</th><th>status</th><th>accuracy</th>'
        f"<th>reason</th><th>created</th><th></th></tr>{body}</table></section>"
    )


def _runs(runs: Sequence[RunReport], plots_of: Mapping[int, Sequence[Path]]) -> str:
    items = []
    for run in runs:
        verdict = run.outcome or run.status
        detail = escape(run.error or run.reason or "")
        plots = "".join(
            f'<a href="/admin/runs/{run.run_id}/plots/{escape(plot.name)}"><img src="/admin/runs/{run.run_id}/plots/'
            f'{escape(plot.name)}" alt="{escape(plot.stem)}" loading="lazy"></a>'
            for plot in plots_of.get(run.run_id, ())
        )
        items.append(
            f'<li><b>run {run.run_id}</b>: {escape(verdict)} {escape(run.candidate_version or "")} '
            f"(accuracy {_percent(run.accuracy)} vs live {_percent(run.live_accuracy)}) {detail}"
            f'<div class="plots">{plots}</div></li>'
        )
    body = "".join(items) or "<li>No training runs yet.</li>"
    return f'<section id="runs"><h2>Training runs</h2><ul class="runs">{body}</ul></section>'


def _disagreements(disputed: Sequence[Disagreement], cities: Sequence[str]) -> str:
    cards = []
    for item in disputed:
        votes = ", ".join(f"{escape(name)} × {count}" for name, count in sorted(item.votes.items()))
        admin = f" — admin says <b>{escape(item.admin_label)}</b>" if item.admin_label else ""
        cards.append(_photo_card(item.image_id, f"{votes}{admin}", cities, item.excluded))
    body = f'<div class="cards">{"".join(cards)}</div>' if cards else "<p>Nobody disagrees about any photo.</p>"
    return f'<section id="disagreements"><h2>Photos users disagree about</h2>{body}</section>'


def _photo_card(
    image_id: int, caption: str, cities: Iterable[str], excluded: bool, back: str = "/admin", selected: str = ""
) -> str:
    options = "".join(
        f'<option value="{escape(city)}"{" selected" if city == selected else ""}>{escape(city)}</option>' for city in cities
    )
    toggle = "Put back into training" if excluded else "Remove from training"
    state = ' <span class="excluded">removed from training</span>' if excluded else ""
    return (
        f'<figure class="card" id="image-{image_id}"><img src="/admin/images/{image_id}" alt="photo {image_id}" loading="lazy">'
        f"<figcaption>#{image_id}: {caption}{state}</figcaption>"
        f'<form method="post" action="/admin/images/{image_id}/label"><input type="hidden" name="back" value="{back}">'
        f'<select name="city">{options}</select> <button>Relabel</button></form>'
        f'<form method="post" action="/admin/images/{image_id}/exclude"><input type="hidden" name="back" value="{back}">'
        f'<input type="hidden" name="excluded" value="{"0" if excluded else "1"}"><button>{toggle}</button></form>'
        "</figure>"
    )


def _percent(value: Optional[float]) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"
