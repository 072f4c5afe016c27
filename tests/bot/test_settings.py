"""Settings: documented, validated with clear messages, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config_docs import iter_fields, render
from bot.settings import DEFAULT_CONFIG, Secrets, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_has_a_description() -> None:
    missing = [path for path, field in iter_fields(Settings) if not field.description]
    assert missing == [], f"settings without a description: {missing}"
    assert all(f.description for f in Secrets.model_fields.values())


def test_every_setting_appears_in_config_yaml() -> None:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    absent = []
    for path, _ in iter_fields(Settings):
        node = data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                absent.append(path)
                break
            node = node[part]
    assert absent == [], f"settings missing from config.yaml (add them with a comment): {absent}"


def test_configuration_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == render(), "docs/configuration.md is stale: run `make docs`"


def test_shipped_config_is_valid() -> None:
    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert not settings.llm_enabled and not settings.slack_enabled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("crawler:\n  per_host_rate: fast\n", "crawler.per_host_rate: Input should be a valid number"),
        ("crawler:\n  per_host_rat: 1\n", "unknown key 'crawler.per_host_rat'"),
        ("icp: [\n", "not valid YAML at line 2"),
        ("- a\n- b\n", "expected a mapping of sections"),
        ("SLACK_BOT_TOKEN: xoxb-123\n", "must not be in config.yaml; set them as environment variables"),
        ("logging:\n  level: LOUD\n", "logging.level"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_settings(path, environ={})


def test_non_utf8_config_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"persona:\n  voice: \xff\xfe\n")
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(path, environ={})


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_secrets_come_from_environment_and_are_masked() -> None:
    settings = load_settings(DEFAULT_CONFIG, environ={"SLACK_BOT_TOKEN": "xoxb-1-secret", "OPENAI_API_KEY": "sk-x"})
    assert settings.slack_enabled and settings.llm_enabled
    assert "xoxb-1-secret" not in repr(settings)
    assert "secrets" not in settings.model_dump()
