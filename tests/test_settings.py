"""Every setting is documented, typed by its default, and overridable from the environment."""

import pytest

from analysis.settings import SETTINGS, setting, settings_table


def test_every_setting_has_help_and_a_unique_name():
    names = [entry.name for entry in SETTINGS]
    assert len(names) == len(set(names))
    for entry in SETTINGS:
        assert len(entry.help) > 30, entry.name
        assert entry.name.isidentifier() and entry.name.islower()


def test_every_setting_is_in_the_readme():
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for entry in SETTINGS:
        assert f"`{entry.name}`" in readme, entry.name


def test_environment_override_and_its_validation(monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_INGEST_BATCH_SIZE", "17")
    assert setting("ingest_batch_size") == 17
    assert {row["name"]: row["value"] for row in settings_table()}["ingest_batch_size"] == 17
    monkeypatch.setenv("COVERAGE_LENS_INGEST_BATCH_SIZE", "many")
    with pytest.raises(ValueError, match="COVERAGE_LENS_INGEST_BATCH_SIZE"):
        setting("ingest_batch_size")


def test_word_setting_accepts_only_its_choices(monkeypatch):
    monkeypatch.setenv("COVERAGE_LENS_CLAIM_BACKEND", " semantic ")
    assert setting("claim_backend") == "semantic"
    monkeypatch.setenv("COVERAGE_LENS_CLAIM_BACKEND", "embeddings")
    with pytest.raises(ValueError, match="is not one of tfidf, semantic"):
        setting("claim_backend")
