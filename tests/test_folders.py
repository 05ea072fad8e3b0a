import pytest

from tutorial_lib.bookkeeping import folders


def test_a_relative_artifacts_folder_is_refused_naming_it(monkeypatch):
    # chapters run in notebooks/ and the build at the root: a relative
    # folder would put one profile's runs in two places
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, "scratch/artifacts")
    with pytest.raises(ValueError) as caught:
        folders.artifacts_dir("smoke")
    message = str(caught.value)
    assert message.startswith(
        "TUTORIAL_ARTIFACTS_DIR='scratch/artifacts' is a relative path; "
        "expected an absolute path"
    )
    assert 'TUTORIAL_ARTIFACTS_DIR="$PWD/scratch/artifacts"' in message


def test_an_absolute_or_empty_artifacts_folder_is_used(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    assert folders.artifacts_dir("smoke") == tmp_path / "smoke"
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, "")
    (tmp_path / "_toc.yml").write_text("root: x\n")
    assert folders.artifacts_dir("smoke", tmp_path) == (
        tmp_path / "_build" / "artifacts" / "smoke"
    )
