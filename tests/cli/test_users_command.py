"""`citybot users`: list, link across platforms, unlink and trust, clear errors for unknown accounts."""

import pytest

from bot.cli.common import store_from
from bot.cli.main import main
from bot.settings import load_settings
from storage.users import get_or_create_user


@pytest.fixture
def people(tmp_path, monkeypatch):
    """Ann on Telegram and Discord and Bob on Telegram, as if each had written to the bot."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CLASSES", "Cebu,Munich,Seoul")
    store = store_from(load_settings())
    with store.transaction() as session:
        get_or_create_user(session, "telegram", 123, display_name="Ann")
        get_or_create_user(session, "discord", 456, display_name="ann#1")
        get_or_create_user(session, "telegram", 789, display_name="Bob")
    store.close()


def run(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and what one citybot command printed (results on stdout, errors on stderr)."""
    code = main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_link_list_and_unlink(people, capsys):
    """Linking shows one person in the list from both sides; unlinking makes them two again."""
    assert run(capsys, "users", "link", "telegram:123", "discord:456") == (
        0,
        "linked discord:456 to telegram:123; one person: telegram:123, discord:456\n",
    )
    assert run(capsys, "users", "list") == (
        0,
        "discord:456  'ann#1'  trust 1  0 labels  linked to telegram:123\n"
        "telegram:123  'Ann'  trust 1  0 labels  primary of discord:456\n"
        "telegram:789  'Bob'  trust 1  0 labels\n",
    )
    assert run(capsys, "users", "list", "--platform", "discord")[1] == "discord:456  'ann#1'  trust 1  0 labels  linked to telegram:123\n"
    assert run(capsys, "users", "unlink", "discord:456") == (0, "unlinked discord:456; it is a person of its own again\n")
    assert "linked" not in run(capsys, "users", "list")[1]


def test_refusals_and_unknown_accounts_are_clear(people, capsys):
    """Unknown accounts, chains and self-links get a message and exit code 1; bad arguments a usage error."""
    assert run(capsys, "users", "link", "telegram:123", "discord:999") == (
        1,
        "citybot: no account discord:999 (they have to write to the bot once first)\n",
    )
    assert run(capsys, "users", "link", "telegram:123", "telegram:123") == (1, "citybot: telegram:123 cannot be linked to itself\n")
    run(capsys, "users", "link", "telegram:123", "discord:456")
    code, out = run(capsys, "users", "link", "discord:456", "telegram:789")
    assert (code, out) == (1, "citybot: discord:456 is itself linked to telegram:123; link to that primary account\n")
    with pytest.raises(SystemExit):
        main(["users", "link", "telegram123", "discord:456"])
    assert "is not platform:id" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["users", "trust", "telegram:123", "-1"])
    assert "between 0 and 100" in capsys.readouterr().err


def test_trust(people, capsys):
    """Trust shows in the list; a linked account's trust is said not to count while linked."""
    assert run(capsys, "users", "trust", "telegram:123", "0.5") == (0, "trust of telegram:123 is now 0.5\n")
    run(capsys, "users", "link", "telegram:123", "discord:456")
    assert run(capsys, "users", "trust", "discord:456", "3")[1] == (
        "trust of discord:456 is now 3\nnote: it is linked to telegram:123, whose trust (0.5) weighs its votes while linked\n"
    )
    listing = run(capsys, "users", "list")[1]
    assert "telegram:123  'Ann'  trust 0.5  0 labels" in listing and "telegram:789  'Bob'  trust 1  0 labels" in listing

