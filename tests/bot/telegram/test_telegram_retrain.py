"""Admin /retrain end to end: a real (tiny) training run in a child process, progress, then the result and plots."""

import re

import pytest

from tests.bot.telegram.conftest import ADMIN_ID, running_bot
from tests.synthetic import seed_store

pytestmark = pytest.mark.slow


async def test_admin_retrain_reports_progress_result_and_plots(tmp_path, trained_version):
    """/retrain answers "queued", a second /retrain hears "already running", and the report arrives with plots."""
    from trainer.config import TrainConfig

    config = TrainConfig(arch="tiny", image_size=64, batch_size=16, frozen_epochs=1, unfrozen_epochs=0, lr_find_iterations=15)
    async with running_bot(tmp_path, trained_version, train_config=config) as bot:
        seed_store(bot.store, per_city=8, size=(80, 64))
        fake = bot.fake
        await fake.push(fake.text_update(ADMIN_ID, "/retrain"))
        await fake.wait_for(lambda s: (s.text or "").startswith("Training queued (run 1)"))
        await fake.push(fake.text_update(ADMIN_ID, "/retrain"))
        await fake.wait_for(lambda s: "already running (run 1)" in (s.text or ""))
        result = await fake.wait_for(lambda s: (s.text or "").startswith("Training run 1 finished"), timeout=150)
        assert ("is now live" in result.text) or ("was rejected" in result.text)
        assert re.search(r"accuracy \d+\.\d% \(live model: \d+\.\d%\)", result.text)  # vs live on the same split
        assert any(s.text.startswith("Training run 1: ") for s in fake.sent if s.text)  # progress on the way
        await fake.wait_for(lambda s: s.method == "sendPhoto" and "lr find" in (s.text or ""))
        photos = [s for s in fake.sent if s.method == "sendPhoto"]
        assert {"confusion"} <= {s.text for s in photos} and all(s.photo.startswith(b"\x89PNG") for s in photos)
