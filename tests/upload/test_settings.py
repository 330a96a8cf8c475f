"""Settings: where the key and URL come from; plain http only to loopback; the key stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.errors import ConfigError
from importers.upload.settings import DEFAULT_BASE_URL, check_base_url, is_loopback, load_settings

KEY = "omi_dev_" + "cd" * 16


FILE_KEY, ENV_KEY = "omi_dev_" + "f1" * 16, "omi_dev_" + "e2" * 16


def test_option_beats_environment_beats_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{FILE_KEY}"\nbase_url = "https://file.example"\n')
    config.chmod(0o600)  # a key others can read is warned about (tests/core/test_private.py)
    env = {"OMI_API_KEY": ENV_KEY}
    s = load_settings(environ=env, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == ENV_KEY
    assert s.base_url == "https://file.example"
    s = load_settings(api_key=KEY, environ=env, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == KEY
    s = load_settings(environ={}, config_path=config)
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == FILE_KEY


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


@pytest.mark.parametrize("key", [f"{KEY[:20]}é{KEY[21:]}", f"{KEY}\u200b", "omi_dev_ａｂ"])
def test_a_key_with_a_non_ascii_character_is_refused_without_quoting_it(key: str) -> None:
    """httpx cannot put it in a header (a traceback before); the message says where only."""
    with pytest.raises(ConfigError, match=r"not ASCII \(character \d+\)|control characters") as e:
        load_settings(api_key=key, environ={}, config_path=Path("/nonexistent"))
    assert KEY[8:16] not in str(e.value)
    assert "é" not in str(e.value)


def test_a_non_ascii_key_in_the_config_file_is_refused_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{KEY[:-1]}ß"\n', encoding="utf-8")
    config.chmod(0o600)
    with pytest.raises(ConfigError, match=r"not ASCII \(character 40\)"):
        load_settings(environ={}, config_path=config)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (f'base_url = "https://api.omi.me"\napi_key = "{KEY}\n', ":2:"),  # unterminated
        (f"# settings\n\napi_key = {KEY}\n", ":3:11: not valid TOML (Invalid value)"),
        ('api_key = "x"\napi_key = "y"\n', ":2:"),
        ("[settings\n", ":1:"),
    ],
)
def test_broken_toml_names_line_and_column_but_not_the_content(
    tmp_path: Path, content: str, where: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(environ={}, config_path=config)
    message = str(info.value)
    assert message.startswith(f"{config}{where}")
    assert "not valid TOML" in message
    assert KEY[8:16] not in message
    assert '"' not in message and "'" not in message


def test_a_config_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'base_url = "https://api.omi.me"\napi_key = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match=r"config.toml:2: not valid TOML: not UTF-8 text"):
        load_settings(environ={}, config_path=config)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.omi.me:99999",
        "https://ap i.omi.me",
        "https://api.omi.me/\x1b[2J",
        "https://[::1",
    ],
)
def test_a_base_url_that_is_not_a_url_is_refused_cleanly(url: str) -> None:
    with pytest.raises(ConfigError, match="base URL") as info:
        check_base_url(url)
    assert "\x1b" not in str(info.value)


@pytest.mark.parametrize(
    "key",
    ["omi_dev_test", "omi_dev_" + "0" * 31, "omi_dev_" + "g" * 32, "sk-" + "a" * 40, "0" * 40],
)
def test_a_key_that_is_no_developer_key_is_refused_before_any_request(key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(api_key=key, environ={}, config_path=Path("/nonexistent"))
    assert str(refused.value).startswith(
        f"the API key is not an Omi developer key ({len(key)} characters): those are omi_dev_ "
        "followed by 32 hex digits"
    )
    assert key not in str(refused.value)
