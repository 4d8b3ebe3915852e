"""`citybot classes`: list, add with aliases, remove (deactivate, keeping labels), clear errors."""

import pytest

from bot.cli.main import main


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A fresh data folder named through the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CLASSES", "Cebu,Munich,Seoul")


def run(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and what one citybot command printed (results on stdout, errors on stderr)."""
    code = main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_initial_classes_are_listed(cli_env, capsys):
    """A new install lists the cities from CLASSES."""
    assert run(capsys, "classes") == (0, "Cebu\nMunich\nSeoul\n")


def test_add_with_alias_then_remove_and_readd(cli_env, capsys):
    """Adding shows the aliases; removing marks the city inactive; adding again reactivates it."""
    assert run(capsys, "classes", "add", "Munich", "--alias", "München") == (0, "added Munich (aliases: München)\n")
    assert run(capsys, "classes", "add", "MUNCHEN") == (1, "citybot: 'MUNCHEN' is already an alias of Munich\n")
    assert run(capsys, "classes", "add", "Busan", "--alias", "seoul") == (1, "citybot: 'seoul' already names Seoul\n")
    assert run(capsys, "classes", "add", "Los Angeles", "--alias", "LA") == (0, "added Los Angeles (aliases: LA)\n")
    code, out = run(capsys, "classes", "remove", "la")
    assert (code, out) == (0, "removed Los Angeles; its labels are kept (add it again to reactivate)\n")
    assert "Los Angeles  (inactive)  aliases: LA" in run(capsys, "classes")[1]
    assert run(capsys, "classes", "add", "los angeles")[0] == 0
    assert "Los Angeles  aliases: LA\n" in run(capsys, "classes")[1]


def test_removing_an_unknown_city_is_a_clear_error(cli_env, capsys):
    """A typo is answered with a message and exit code 1, nothing changes."""
    assert run(capsys, "classes", "remove", "Atlantis") == (1, "citybot: no city called 'Atlantis'\n")
    assert run(capsys, "classes")[1] == "Cebu\nMunich\nSeoul\n"


def test_bad_setting_is_named(cli_env, capsys, monkeypatch):
    """A bad environment value stops the command with the key named, before touching the store."""
    monkeypatch.setenv("CLASSES", "OnlyOne")
    assert main(["classes"]) == 2
    assert "CLASSES" in capsys.readouterr().err


def test_an_error_goes_to_stderr_and_changes_nothing(cli_env, capsys):
    """A refused change prints its reason on stderr, nothing on stdout, and leaves the city list as it was."""
    assert main(["classes", "add", "Busan", "--alias", "seoul"]) == 1
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == ("", "citybot: 'seoul' already names Seoul\n")
    assert run(capsys, "classes") == (0, "Cebu\nMunich\nSeoul\n")
