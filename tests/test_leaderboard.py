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


def test_every_recorded_method_appears_with_its_ratio_to_the_best_classical():
    records = [
        rec("beyond/task1/minimax/test_l1", 1e-8, 0.1),
        rec("beyond/task1/savgol/test_l1", 0.05, 2.0),
        rec("beyond/task1/wiener/test_l1", 0.04, 0.5),
        rec("beyond/task1/best/test_l1", 0.006, 30.0),
        rec("beyond/task1/best/params", 51456),
        *[
            rec(f"beyond/task2/bayes/alpha{a}/val_mse", 0.001)
            for a in (0.1, 0.2, 0.3, 0.4)
        ],
        *[
            rec(f"beyond/task2/wiener/alpha{a}/val_mse", v)
            for a, v in zip((0.1, 0.2, 0.3), (0.02, 0.005, 0.01))
        ],
        rec("beyond/task2/lowpass/alpha0.2/val_mse", 0.004),
        *[
            rec(f"part2/ae/d2/alpha{a}/val_mse", 0.01, 10.0)
            for a in (0.1, 0.2, 0.3)
        ],
        rec("part2/model/d2/parameters", 12345),
    ]
    page = leaderboard_markdown(records)
    task1, task2 = page.split("## Task 2")
    task2, ratios = task2.split("divided by the best classical")
    # one number a cell: a method's row in each table, by its name
    rows = {
        (part, line.split("|")[2].strip()): line
        for part, text in [(1, task1), (2, task2), (3, ratios)]
        for line in text.splitlines()
        if line.startswith("| ")
    }
    lines = {method for _, method in rows}
    # task 1: divided by the Wiener filter's 0.04, the lowest classical
    assert rows[1, "best learned model (Beyond)"] == (
        "| network | best learned model (Beyond) | 0.006 | 0.1 | 51,456 | 30 |"
    )
    assert rows[1, "Savitzky-Golay"] == (
        "| classical | Savitzky-Golay | 0.05 | 1.2 | – | 2 |"
    )
    assert rows[1, "minimax offset matcher (exact)"].startswith(
        "| limit | minimax offset matcher (exact) | 1e-08 | 0.0 |"
    )
    # task 2: per level, the lowest classical (the low-pass at alpha 0.2)
    ae = "autoencoder d=2 (the book's settings)"
    assert rows[2, ae] == (
        f"| network | {ae} | 0.01 | 0.01 | 0.01 | – | 12,345 | 30 |"
    )
    assert rows[3, ae] == f"| network | {ae} | 0.5 | 2.5 | 1.0 | – |"
    bayes = "posterior mean (Bayes limit)"
    assert rows[2, bayes].startswith(
        f"| limit | {bayes} | 0.001 | 0.001 | 0.001 | 0.001 |"
    )
    assert rows[3, bayes] == f"| limit | {bayes} | 0.1 | 0.2 | 0.1 | – |"
    # every table's rows have as many cells as its header
    for text in (task1, task2, ratios):
        table = [line for line in text.splitlines() if line.startswith("|")]
        assert len({line.count("|") for line in table}) == 1
    # no record, so no row ...
    assert "RNN (the post's settings)" not in lines
    # ... but named as missing
    assert "RNN (the post's settings) (task 1)" in page
    assert "Profile: smoke" in page


def test_every_row_has_a_known_kind_and_each_task_has_a_classical_row():
    from bookbuild.leaderboard import KINDS, ROWS

    assert all(row.kind in KINDS for row in ROWS)
    for task in {row.task for row in ROWS}:
        kinds = {row.kind for row in ROWS if row.task == task}
        assert {"none", "limit", "classical", "network"} <= kinds


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
