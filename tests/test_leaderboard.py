import pytest

from bookbuild.leaderboard import leaderboard_markdown


def rec(id, value, seconds=1.0):
    return {
        "id": id,
        "value": value,
        "reference": None,
        "profile": "smoke",
        "device": "cpu",
        "seconds": seconds,
    }


def test_every_recorded_method_appears_with_its_gap_to_the_oracle():
    records = [
        rec("beyond/task1/oracle/test_l1", 0.005, 0.1),
        rec("beyond/task1/savgol/test_l1", 0.05, 2.0),
        rec("beyond/task1/best/test_l1", 0.0075, 30.0),
        rec("beyond/task1/best/params", 51456),
        *[
            rec(f"beyond/task2/oracle/alpha{a}/val_mse", 0.001)
            for a in (0.1, 0.2, 0.3, 0.4)
        ],
        *[
            rec(f"part2/ae/d2/alpha{a}/val_mse", 0.01, 10.0)
            for a in (0.1, 0.2, 0.3)
        ],
        rec("part2/model/d2/parameters", 12345),
    ]
    page = leaderboard_markdown(records)
    lines = {
        line.split("|")[2].strip(): line
        for line in page.splitlines()
        if line.startswith("| ")
    }
    assert (
        "| 0.0075 | 1.5 | 51,456 | 30 |"
        in lines["best learned model (Beyond)"]
    )
    assert "| 0.05 | 10.0 | – | 2 |" in lines["Savitzky-Golay"]
    ae = lines["autoencoder d=2 (the book's settings)"]
    assert (
        "0.01 / 0.01 / 0.01 / –" in ae
        and "10.0 / 10.0 / 10.0 / –" in ae
        and "12,345" in ae
        and "| 30 |" in ae
    )
    assert (
        "RNN (the post's settings)" not in lines
    )  # no record, so no row ...
    assert (
        "RNN (the post's settings) (task 1)" in page
    )  # ... but named as missing
    assert "Profile: smoke" in page


def test_no_records_says_so():
    assert "No results" in leaderboard_markdown([])


def test_a_malformed_record_is_rejected():
    with pytest.raises(ValueError, match="'id' and 'value'"):
        leaderboard_markdown([{"value": 1.0}])


def test_the_missing_targets_demo_is_not_a_method_on_the_board():
    """Part I's masked-loss demo (2 units, 20 steps) shows the loss works; it
    is not a denoiser to rank, so it never appears as a row."""
    from bookbuild.leaderboard import ROWS

    assert all("masked" not in row.error for row in ROWS)
