"""Settings: where the key and URL come from; plain http only to loopback; the key stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.errors import ConfigError
from importers.settings import DEFAULT_BASE_URL, check_base_url, is_loopback, load_settings

KEY = "omi_dev_" + "cd" * 16


def test_option_beats_environment_beats_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{KEY}-file"\nbase_url = "https://file.example"\n')
    env = {"OMI_API_KEY": f"{KEY}-env"}
    s = load_settings(environ=env, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == f"{KEY}-env"
    assert s.base_url == "https://file.example"
    s = load_settings(api_key=KEY, environ=env, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == KEY
    s = load_settings(environ={}, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == f"{KEY}-file"


def test_defaults_without_anything(tmp_path: Path) -> None:
    s = load_settings(environ={}, config_path=tmp_path / "missing.toml")
    assert s.base_url == DEFAULT_BASE_URL
    assert s.api_key is None
    with pytest.raises(ConfigError, match="no API key: pass --api-key, set OMI_API_KEY"):
        s.require_key()


def test_the_key_never_shows_in_repr_or_str() -> None:
    s = load_settings(api_key=KEY, environ={}, config_path=Path("/nonexistent/config.toml"))
    assert KEY not in repr(s)
    assert KEY not in str(s)
    assert KEY not in f"{s.api_key}"


def test_broken_config_file_does_not_quote_its_content(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{KEY}\n')
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_settings(environ={}, config_path=config)
    assert KEY not in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["http://api.omi.me", "http://10.0.0.5:8000", "http://example.com/", "http://[2001:db8::1]"],
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="refusing to send the API key over plain http://"):
        check_base_url(url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:1234/", "http://[::1]:80", "https://api.omi.me/"],
)
def test_loopback_http_and_any_https_are_allowed(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


def test_env_base_url_is_checked_too() -> None:
    with pytest.raises(ConfigError, match="plain http"):
        load_settings(
            environ={"OMI_API_BASE_URL": "http://omi.example"}, config_path=Path("/nonexistent")
        )


def test_loopback_decision() -> None:
    assert is_loopback("127.0.0.2")
    assert not is_loopback("127.example.com")


def test_key_with_a_newline_is_refused() -> None:
    with pytest.raises(ConfigError, match="spaces or control characters") as info:
        load_settings(api_key="omi_dev_ab\ncd", environ={}, config_path=Path("/nonexistent"))
    assert "omi_dev_ab" not in str(info.value)
