"""The Dependabot configuration: valid against its published schema, and
weekly grouped update pull requests for pip, npm and the workflow's actions."""

from __future__ import annotations

import json
from importlib.metadata import distribution

import jsonschema
import pytest
import yaml

from support import ROOT

DEPENDABOT = ROOT / ".github" / "dependabot.yml"
# SchemaStore's dependabot-2.0.json (https://json.schemastore.org/dependabot-2.0.json),
# as check-jsonschema (dev lock) vendors it. Read as a file: importing
# check_jsonschema would load its command line, which needs a newer click.
SCHEMA = distribution("check-jsonschema").locate_file(
    "check_jsonschema/builtin_schemas/vendor/dependabot.json"
)
ECOSYSTEMS = {"pip", "npm", "github-actions"}


def load() -> dict:
    return yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))


def schema_errors(config: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://json.schemastore.org/dependabot-2.0.json"
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(config)]


def updates() -> dict[str, dict]:
    return {update["package-ecosystem"]: update for update in load()["updates"]}


def test_dependabot_config_is_valid_against_its_schema():
    assert schema_errors(load()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(version=1), "2 was expected"),
        (lambda c: c["updates"][0].update({"package-ecosystem": "pypi"}), "is not one of"),
        (lambda c: c["updates"][0]["schedule"].update(interval="fortnightly"), "is not one of"),
        (lambda c: c["updates"][0].update(directroy="/"), "directroy"),
        (lambda c: c["updates"][1]["groups"]["test-tools"].update(patterns=[]),
         "should be non-empty"),
    ],
)
def test_schema_rejects_a_broken_dependabot_config(change, message):
    config = load()
    change(config)
    errors = schema_errors(config)
    assert any(message in error for error in errors), errors


def test_pip_npm_and_github_actions_are_updated_from_the_project_root():
    config = updates()
    assert set(config) == ECOSYSTEMS
    assert len(load()["updates"]) == len(ECOSYSTEMS)
    assert {update["directory"] for update in config.values()} == {"/"}
    assert (ROOT / "requirements.in").is_file() and (ROOT / "requirements-dev.in").is_file()
    assert (ROOT / "package.json").is_file() and (ROOT / "package-lock.json").is_file()
    assert (ROOT / ".github" / "workflows" / "pages.yml").is_file()


@pytest.mark.parametrize("ecosystem", sorted(ECOSYSTEMS))
def test_each_ecosystem_is_checked_weekly(ecosystem):
    assert updates()[ecosystem]["schedule"]["interval"] == "weekly"


@pytest.mark.parametrize("ecosystem", sorted(ECOSYSTEMS))
def test_each_ecosystems_updates_come_as_one_grouped_pull_request(ecosystem):
    (group,) = updates()[ecosystem]["groups"].values()
    assert group["patterns"] == ["*"]
    assert group["applies-to"] == "version-updates"


@pytest.mark.parametrize("ecosystem", sorted(ECOSYSTEMS))
def test_a_release_waits_a_week_before_it_is_proposed(ecosystem):
    assert updates()[ecosystem]["cooldown"] == {"default-days": 7}


def test_updates_the_project_pinned_back_on_purpose_are_not_proposed():
    pip = {rule["dependency-name"]: rule for rule in updates()["pip"]["ignore"]}
    assert pip["click"]["versions"] == [">=8.3"]
    assert "click==8.2.1" in (ROOT / "requirements.in").read_text(encoding="utf-8")
    assert pip["mkdocs"]["update-types"] == ["version-update:semver-major"]
    npm = {rule["dependency-name"]: rule for rule in updates()["npm"]["ignore"]}
    assert npm["lighthouse"]["update-types"] == ["version-update:semver-major"]
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["lighthouse"].startswith("12.")
