"""The load of bench/load.py through Telegram: `citybot serve` long-polling our fake Bot API (tests/fakes) on 127.0.0.1.

Each client is a Telegram user sending photos in a private chat; a photo counts as answered when the bot's reply
to that message arrives at the fake server carrying a ranking (its "model bench" footer). Anything else is an error.
"""

import asyncio
import time
from pathlib import Path

from serving import citybot_command, free_port, server_env, start, stop

TOKEN = "123456:bench-token"
ANSWER_MARK = "model bench"


class Replies:
    """Watches the fake server's sent messages and resolves one future per (chat, replied-to message)."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.waiting: dict[tuple[int, int], asyncio.Future] = {}
        self.seen = 0

    def expect(self, chat_id: int, message_id: int) -> asyncio.Future:
        """A future for the bot's reply to `message_id` in `chat_id`."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[(chat_id, message_id)] = future
        return future

    async def watch(self) -> None:
        """Scan newly sent messages every 5 ms (each message once)."""
        while True:
            while self.seen < len(self.fake.sent):
                sent = self.fake.sent[self.seen]
                self.seen += 1
                future = self.waiting.pop((sent.chat_id, sent.reply_to), None)
                if future is not None and not future.done():
                    future.set_result(sent)
            await asyncio.sleep(0.005)


async def _user(fake, replies: Replies, user_id: int, photos: list[bytes], latencies: list[float], errors: list[int]) -> None:
    for data in photos:
        update = fake.photo_update(user_id, data)
        answered = replies.expect(user_id, update["message"]["message_id"])
        begin = time.perf_counter()
        await fake.push(update)
        try:
            sent = await asyncio.wait_for(answered, 300)
            errors.append(ANSWER_MARK not in (sent.text or ""))
        except asyncio.TimeoutError:
            errors.append(1)
        latencies.append(time.perf_counter() - begin)


async def drive_telegram(root: Path, data_dir: Path, per_client_photos: list[list[bytes]], concurrent: bool) -> dict:
    """Start the fake Bot API and `citybot serve` against it, send every photo, collect latencies and errors."""
    from tests.fakes.telegram_api import FakeTelegram

    fake = await FakeTelegram(TOKEN).start()
    env = server_env(
        data_dir, free_port(), TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, TELEGRAM_BASE_FILE_URL=fake.base_file_url
    )
    process = start(citybot_command("serve"), env, root)
    replies = Replies(fake)
    watcher = asyncio.create_task(replies.watch())
    try:
        while not any(method == "getUpdates" for method, _ in fake.calls):  # the bot is polling
            if process.poll() is not None:
                raise RuntimeError(f"citybot serve exited with {process.returncode}; see {root / 'server.log'}")
            await asyncio.sleep(0.05)
        latencies: list[float] = []
        errors: list[int] = []
        users = [(1000 + index, photos) for index, photos in enumerate(per_client_photos)]
        begin = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(_user(fake, replies, user, photos, latencies, errors) for user, photos in users))
        else:
            for user, photos in users:
                await _user(fake, replies, user, photos, latencies, errors)
        wall = time.perf_counter() - begin
    finally:
        watcher.cancel()
        await asyncio.to_thread(stop, process)
        await fake.stop()
    return {"wall": wall, "latencies": latencies, "errors": sum(errors), "count": len(errors)}
