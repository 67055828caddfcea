"""The `answers` command as users run it: exit codes, messages, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.pagetext import quoted
from tests.sitebuild import answers, copy_archive, tree_bytes, write_question


def test_build_with_defaults_in_a_site_folder(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    result = answers("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "built 52 pages (8 questions, 3 departments)" in result.stdout
    assert (site / "_site/questions/hc-2023-11-14-2154/index.html").is_file()


def test_build_options(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    out = tmp_path / "elsewhere"
    result = answers(
        "build", "--content", str(site / "content"), "--out", str(out),
        "--config", str(site / "site.yaml"), "--base-url", "https://x.example/sub/",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'href="/sub/departments/"' in quoted((out / "index.html").read_text())


def test_errors_are_listed_without_traceback_and_site_kept(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    assert answers("build", cwd=site).returncode == 0
    before = tree_bytes(site / "_site")
    write_question(site / "content", "x/a.md", "---\ntitle: A\nasked_on: 2021-02-30\n---\n")
    write_question(site / "content", "x/b.md", "---\ntitle: [\n---\n")
    result = answers("build", cwd=site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == "content/questions/x/a.md:3: impossible date 2021-02-30: day is out of range for month"
    )
    assert lines[1].startswith("content/questions/x/b.md:3: YAML syntax error")
    assert lines[-1] == "2 problems found; nothing was built"
    assert "Traceback" not in result.stderr
    assert tree_bytes(site / "_site") == before


def test_check_validates_without_building(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    ok = answers("check", cwd=site)
    assert ok.returncode == 0
    assert "8 questions and 1 pages: no problems found" in ok.stdout
    assert not (site / "_site").exists()
    write_question(site / "content", "bad.md", "---\ntitle: T\n---\n")
    bad = answers("check", cwd=site)
    assert bad.returncode == 1
    assert "content/questions/bad.md:1: asked_on: required field is missing" in bad.stderr


def test_bad_config_is_reported(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    (site / "site.yaml").write_text("titel: x\n")
    result = answers("build", cwd=site)
    assert result.returncode == 1
    assert "site.yaml:1: titel: unknown key (did you mean 'title'?)" in result.stderr


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    result = answers("build", "--out", ".", cwd=site)
    assert result.returncode == 1
    assert "output folder would replace" in result.stderr
    assert (site / "content").is_dir()


def test_module_and_console_script_agree(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "answers"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("answers ")


def test_build_says_when_the_yaml_c_loader_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator import cli, yamltext

    site = copy_archive(tmp_path)
    monkeypatch.chdir(site)
    assert yamltext.HAS_LIBYAML  # the pinned PyYAML wheels carry libyaml
    assert cli.main(["build", "--quiet"]) == 0
    assert "C loader" not in capsys.readouterr().err
    monkeypatch.setattr(yamltext, "HAS_LIBYAML", False)
    assert cli.main(["build", "--quiet"]) == 0
    assert "warning: PyYAML has no C loader (libyaml)" in capsys.readouterr().err
