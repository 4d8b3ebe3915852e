"""`.env.example` documents every setting, each with a comment, and loads as valid settings."""

from pathlib import Path

from bot.settings import Settings, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def example_lines() -> list[str]:
    """The lines of .env.example."""
    return ENV_EXAMPLE.read_text().splitlines()


def test_every_setting_is_listed_with_a_comment():
    """Each Settings field appears as KEY= in .env.example, right below a comment line."""
    lines = example_lines()
    keys = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert keys == {name.upper() for name in Settings.model_fields}
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            previous = lines[number - 1]
            assert previous.startswith("#") or "=" in previous, f"{line} has no comment above it"


def test_the_example_is_a_valid_configuration(tmp_path, monkeypatch):
    """Copied to .env unchanged, the example loads without errors and keeps the documented defaults."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    (tmp_path / ".env").write_text(ENV_EXAMPLE.read_text())
    settings = load_settings()
    assert settings.classes == ["Cebu", "Munich", "Seoul"] and settings.admin_ids == []
    assert settings.effective_database_url.startswith("sqlite:///")
