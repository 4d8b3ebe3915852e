"""Hot swap: the live row decides which model answers; a broken artifact never replaces a working one."""

import shutil
from pathlib import Path

from storage.versions import add_version, promote
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes
from bot.core.live_model import LiveModel


def test_swaps_when_the_live_row_changes_and_old_objects_keep_working(store, tmp_path: Path, trained_version: Path):
    """After a promotion the next call gets the new version; a Predictor taken before still answers."""
    data_dir = tmp_path / "data"
    install_live_version(store, data_dir, trained_version, "v1")
    live = LiveModel(store, data_dir, check_every=0)
    before = live.current()
    install_live_version(store, data_dir, trained_version, "v2")
    after = live.current()
    assert (before.version, after.version) == ("v1", "v2")
    assert len(before.predict(photo_bytes("Cebu", 1))) == 3  # a request in flight finishes on its model


def test_broken_new_version_keeps_the_old_one_serving(store, tmp_path: Path, trained_version: Path):
    """A live row pointing at a damaged artifact is logged and skipped; the previous model keeps answering."""
    data_dir = tmp_path / "data"
    install_live_version(store, data_dir, trained_version, "v1")
    live = LiveModel(store, data_dir, check_every=0)
    assert live.current().version == "v1"
    broken = data_dir / "models" / "broken"
    shutil.copytree(trained_version, broken)
    (broken / "model.onnx").write_bytes(b"not a model")
    with store.transaction() as session:
        add_version(session, "broken", "tiny", ["Cebu", "Munich", "Seoul"], "models/broken", "0" * 64, {}, None)
        promote(session, "broken")
    assert live.current().version == "v1"
