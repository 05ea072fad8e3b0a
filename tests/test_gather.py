import json

from bookbuild import __main__ as cli
from tutorial_lib import records


def test_gather_command_writes_json_list(tmp_path):
    records.record("a/b", 3.0, profile="smoke", device="cpu", seconds=0,
                   directory=tmp_path / "rec")
    out = tmp_path / "results.json"
    cli.main(["gather", "--profile", "smoke", "--records", str(tmp_path / "rec"),
              "--out", str(out)])
    assert json.loads(out.read_text())[0]["value"] == 3.0
