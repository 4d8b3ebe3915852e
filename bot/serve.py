"""`citybot serve`: one asyncio loop running the Telegram bot, the web app and the retrain scheduler.

Everything shares one label store, one `LiveModel` (hot swap) and one `CityBot` core. Training never
runs here: `/retrain`, the web admin and the scheduler go through `trainer.runner.request_training`,
which starts a child process, so this process never imports torch or fastai.
A front end without its token is skipped with a log line; the rest keeps serving.
Every training run that finishes while it serves is announced to the admins of each front end by private message.
"""

import asyncio
import logging
import signal
from dataclasses import dataclass
from typing import Awaitable, Optional

import uvicorn

from bot.core.admin import Admin
from bot.core.batcher import BatchedPredictions
from bot.core.live_model import LiveModel
from bot.core.run_announcer import RunAnnouncer
from bot.core.service import CityBot
from bot.settings import Settings
from storage.store import LabelStore, open_store

log = logging.getLogger("citybot.serve")


@dataclass
class Services:
    """The shared core every front end in this process uses."""

    store: LabelStore
    live_model: LiveModel
    core: CityBot
    admin: Admin


def build_services(settings: Settings) -> Services:
    """Open the store and build the live model, the core and the admin actions from the settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return services_on(open_store(settings.effective_database_url, settings.data_dir, settings.classes), settings)


def services_on(store: LabelStore, settings: Settings) -> Services:
    """The live model, the core and the admin actions over an open store."""
    from trainer.config import TrainConfig  # a plain dataclass: no torch

    live_model = LiveModel(store, settings.data_dir)
    core = CityBot(
        store,
        live_model,
        confidence_threshold=settings.confidence_threshold,
        photo_rate_limit_per_minute=settings.photo_rate_limit,
        min_images_per_class=settings.min_images_per_class,
        batched=batched_predictions(settings),
    )
    admin = Admin(store, settings.data_dir, settings.effective_database_url, TrainConfig.from_settings(settings), live_model)
    return Services(store, live_model, core, admin)


def batched_predictions(settings: Settings) -> Optional[BatchedPredictions]:
    """The micro-batcher all front ends of this process share (None when BATCH_MAX_SIZE is 0)."""
    if settings.batch_max_size == 0:
        return None
    return BatchedPredictions(settings.batch_window_ms, settings.batch_max_size, settings.batch_queue_limit)


async def serve(settings: Settings, stop: Optional[asyncio.Event] = None) -> None:
    """Run every front end and the scheduler until SIGINT/SIGTERM (or `stop`) and shut them down cleanly."""
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    services = build_services(settings)
    model = await asyncio.to_thread(services.live_model.current)
    log.info("model: %s", model.version if model is not None else "none live yet (cold start)")
    announcer = RunAnnouncer(services.admin)
    await asyncio.to_thread(announcer.remember_finished)  # runs finished before now are old news
    runners: dict[str, Awaitable[None]] = {"web": _run_web(settings, services, stop)}
    telegram = _telegram(settings, services, stop, announcer)
    if telegram is not None:
        runners["telegram"] = telegram
    discord = _discord(settings, services, stop, announcer)
    if discord is not None:
        runners["discord"] = discord
    runners["run announcer"] = announcer.run(stop)
    scheduler = _start_scheduler(settings)
    tasks = {asyncio.create_task(runner, name=name): name for name, runner in runners.items()}
    try:
        done, _ = await asyncio.wait([*tasks, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task in tasks and task.exception() is not None:
                log.error("%s stopped with an error", tasks[task], exc_info=task.exception())
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        services.store.close()
        log.info("citybot serve stopped")


def _discord(settings: Settings, services: Services, stop: asyncio.Event, announcer: RunAnnouncer) -> Optional[Awaitable[None]]:
    if not settings.discord_bot_token:
        log.info("DISCORD_BOT_TOKEN is not set: the Discord bot is off")
        return None
    from bot.discord.run import discord_runner  # discord.py is imported only when the bot runs

    return discord_runner(settings, services.core, services.admin, stop, announcer)


def _telegram(settings: Settings, services: Services, stop: asyncio.Event, announcer: RunAnnouncer) -> Optional[Awaitable[None]]:
    if not settings.telegram_bot_token:
        log.info("TELEGRAM_BOT_TOKEN is not set: the Telegram bot is off (web and scheduler keep running)")
        return None
    from bot.telegram.app import build_application
    from bot.telegram.deps import TelegramDeps
    from bot.telegram.logs import protect_token
    from bot.telegram.progress import telegram_audience
    from bot.telegram.runner import WebhookOptions, run_telegram

    protect_token(settings.telegram_bot_token)
    deps = TelegramDeps(services.core, services.admin, frozenset(settings.admin_ids))
    application = build_application(
        settings.telegram_bot_token, deps, settings.telegram_base_url, settings.telegram_base_file_url
    )
    announcer.add_audience(telegram_audience(application.bot, frozenset(settings.admin_ids)))
    webhook = None
    if settings.webhook_url:
        webhook = WebhookOptions(settings.webhook_url, settings.webhook_secret, settings.webhook_listen, settings.webhook_port)
    return run_telegram(application, stop, webhook)


async def _run_web(settings: Settings, services: Services, stop: asyncio.Event) -> None:
    from bot.cli.web import web_options  # the web engineer's one reading of the settings, shared with `citybot web`
    from bot.web.app import create_app

    config = uvicorn.Config(
        create_app(services.core, services.admin, web_options(settings)), host=settings.web_host, port=settings.web_port, log_config=None
    )
    server = uvicorn.Server(config)
    server_task = asyncio.create_task(server.serve())
    log.info("web: http://%s:%d", settings.web_host, settings.web_port)
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait([server_task, stopping], return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await server_task


def _start_scheduler(settings: Settings):
    """The nightly/threshold retrain jobs from trainer.schedule, on an AsyncIOScheduler in this loop."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from trainer.schedule import install_jobs  # request_training only: the jobs start a child process

    scheduler = AsyncIOScheduler(timezone="UTC")
    jobs = install_jobs(scheduler, settings)
    scheduler.start()
    log.info("scheduler: %s", "; ".join(f"{job.name} (next {job.next_run_time:%Y-%m-%d %H:%M %Z})" for job in jobs))
    return scheduler


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or a platform without it
            pass
