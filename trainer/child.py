"""The training child process: reads its job as JSON on stdin, holds the inherited lock, runs one training."""

import json
import logging
import sys

from trainer.config import TrainConfig


def main() -> int:
    """Run the job; exit 0 when the run finished (promoted or rejected), 1 when it failed."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    job = json.loads(sys.stdin.read())
    from trainer.pipeline import execute_run

    try:
        execute_run(job["database_url"], job["data_dir"], TrainConfig(**job["config"]), job["run_id"])
    except Exception:
        logging.getLogger("trainer.child").exception("training run %s failed", job["run_id"])
        return 1
    return 0  # the lock descriptor job["lock_fd"] closes with the process


if __name__ == "__main__":
    sys.exit(main())
