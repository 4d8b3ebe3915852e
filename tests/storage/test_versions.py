"""Model version registry and training-run rows: one live version, promote, reject, rollback."""

import pytest

from storage.versions import (
    VersionError, add_version, finish_run, get_version, live_version, promote, reject, rollback, running_run,
    set_progress, start_run,
)


def _add(session, name, parent=None):
    return add_version(session, name, "tiny", ["Cebu", "Munich"], f"models/{name}", "0" * 64, {"accuracy": 0.9}, parent)


def test_promote_keeps_exactly_one_live(any_store):
    """Promoting a second version retires the first; only one row is ever live."""
    with any_store.transaction() as session:
        _add(session, "v1")
        _add(session, "v2", "v1")
        promote(session, "v1")
        promote(session, "v2")
    with any_store.transaction() as session:
        assert live_version(session).version == "v2"
        assert get_version(session, "v1").status == "retired"
        assert get_version(session, "v1").reason == "replaced by v2"


def test_rollback_walks_back_through_earlier_live_versions(any_store):
    """rollback() without a version goes to the previous live one, and again to the one before."""
    with any_store.transaction() as session:
        for name in ("v1", "v2", "v3"):
            _add(session, name)
            promote(session, name)
    with any_store.transaction() as session:
        assert rollback(session, by="telegram:1").version == "v2"
    with any_store.transaction() as session:
        assert get_version(session, "v3").status == "rejected"
        assert "rolled back to v2 by telegram:1" in get_version(session, "v3").reason
        assert rollback(session).version == "v1"
    with any_store.transaction() as session:
        with pytest.raises(VersionError, match="no earlier live version"):
            rollback(session)
        assert live_version(session).version == "v1"


def test_rollback_to_named_version_and_errors(store):
    """A named rollback target goes live; unknown names and the live one itself are refused clearly."""
    with store.transaction() as session:
        _add(session, "v1")
        _add(session, "v2")
        promote(session, "v2")
        reject(session, "v1", "worse than live")
    with store.transaction() as session:
        assert rollback(session, "v1").version == "v1"
    with store.transaction() as session:
        with pytest.raises(VersionError, match="no model version 'v9'"):
            rollback(session, "v9")
        with pytest.raises(VersionError, match="already live"):
            rollback(session, "v1")
        with pytest.raises(VersionError, match="is live"):
            reject(session, "v1", "no")


def test_training_run_lifecycle(any_store):
    """A run starts running, carries progress another process can read, and ends with its outcome."""
    with any_store.transaction() as session:
        run_id = start_run(session, "cli", "tester").id
    with any_store.transaction() as session:
        assert running_run(session).id == run_id
        set_progress(session, run_id, {"stage": "frozen", "epoch": 1, "total": 2})
    with any_store.transaction() as session:
        assert running_run(session).progress == {"stage": "frozen", "epoch": 1, "total": 2}
        finish_run(session, run_id, "succeeded", outcome="promoted", candidate_version="v1", report_path="models/v1/report")
    with any_store.transaction() as session:
        assert running_run(session) is None
