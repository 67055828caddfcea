from pathlib import Path

import pytest

from generator.config import SiteConfig, load_config
from generator.errors import ArchiveError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ArchiveError) as caught:
        load_config(path)
    return [str(p) for p in caught.value.problems]


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "site.yaml")
    assert config == SiteConfig()
    assert config.language == "en-GB"
    assert (config.per_page, config.extract_length) == (50, 160)


def test_missing_file_named_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="config file not found"):
        load_config(tmp_path / "nope.yaml", required=True)


def test_values_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "title: My Archive\nper_page: 5\nbase_url: https://u.github.io/r/\n")
    config = load_config(path)
    assert (config.title, config.per_page) == ("My Archive", 5)
    assert config.base_path == "/r/"
    assert config.absolute_url("questions/x/") == "https://u.github.io/r/questions/x/"


def test_unknown_key_names_file_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "title: A\nper_pgae: 5\n")
    assert problems(path) == [f"{path}:2: per_pgae: unknown key (did you mean 'per_page'?)"]


def test_wrong_types_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "title: [a, b]\nper_page: ten\nlatest_count: 0\n")
    assert problems(path) == [
        f"{path}:1: title: expected str, got list",
        f"{path}:2: per_page: expected int, got str",
        f"{path}:3: latest_count: expected a positive number",
    ]


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "title: A\ndescription: [unclosed\n")
    (message,) = problems(path)
    assert message.startswith(f"{path}:")
    assert "YAML syntax error" in message


def test_repeated_key(tmp_path: Path) -> None:
    path = write(tmp_path, "title: A\ntitle: B\n")
    assert problems(path) == [f"{path}:2: title: key given twice"]


@pytest.mark.parametrize("url", ["ftp://x/", "example.org", "https://x/?a=1", "javascript:x"])
def test_bad_base_url(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f"base_url: '{url}'\n")
    (message,) = problems(path)
    assert "base_url: expected an http(s) URL" in message


@pytest.mark.parametrize(
    ("configured", "base_path"),
    [("", "/"), ("https://example.org", "/"), ("https://u.github.io/repo", "/repo/")],
)
def test_base_path(configured: str, base_path: str) -> None:
    assert SiteConfig(base_url=configured).base_path == base_path


def test_command_line_base_url_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "base_url: https://a.example/\n")
    assert load_config(path, base_url="https://b.example/x/").base_path == "/x/"
