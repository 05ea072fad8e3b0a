import json

import pytest

from bookbuild.errors import BuildInputError
from bookbuild.perfpage import performance_markdown

MACHINE = {
    "cpu": "Test CPU",
    "cores": 2,
    "torch_threads": 2,
    "python": "3.11",
    "torch": "2.13.0",
    "gpu": None,
    "date": "2026-01-01",
    "memory_gib": 24,
}


def test_page_reports_measured_rows_and_flags_slow_ratio(tmp_path):
    rows = [
        {
            "case": "BiGRU",
            "device": "cpu",
            "steps": 3,
            "plain_ms_per_step": 100.0,
            "fit_ms_per_step": 101.0,
            "ratio": 1.01,
        },
        {
            "case": "AE",
            "device": "cpu",
            "steps": 44,
            "plain_ms_per_step": 10.0,
            "fit_ms_per_step": 11.0,
            "ratio": 1.1,
        },
    ]
    (tmp_path / "fit_vs_plain_cpu.json").write_text(
        json.dumps({"machine": MACHINE, "rows": rows, "repeats": 3})
    )
    page = performance_markdown(tmp_path)
    assert "| BiGRU | cpu | 3 | 100.0 | 101.0 | 1.010 |" in page
    assert "1.100 (over 1.05)" in page
    assert "Test CPU" in page and "No GPU was available" in page
    assert (
        "## The whole book\n\n\n*Not measured yet.*" in page
        or "Not measured yet" in page
    )


def test_page_with_build_results(tmp_path):
    build = {
        "machine": MACHINE,
        "profile": "full",
        "first_build": {"seconds": 1500.0, "peak_rss_mib": 900},
        "cached_rebuild": {"seconds": 40.0, "peak_rss_mib": 500},
        "chapters": [{"chapter": "part1_01_noisy_sine", "seconds": 5.0}],
    }
    (tmp_path / "book_build_full.json").write_text(json.dumps(build))
    page = performance_markdown(tmp_path)
    assert (
        "25.0 min" in page
        and "900 MiB" in page
        and "| part1_01_noisy_sine | 5.0 |" in page
    )
    assert (
        "within 35 minutes on this CPU: met (25.0 min, measured 2026-01-01)"
        in page
    )


def test_a_slow_build_is_not_met_and_its_note_is_shown(tmp_path):
    build = {
        "machine": MACHINE,
        "profile": "full",
        "first_build": {"seconds": 2400.0, "peak_rss_mib": 900},
        "cached_rebuild": {"seconds": 40.0, "peak_rss_mib": 500},
        "chapters": [],
        "note": "measured while another job shared the cores",
    }
    (tmp_path / "book_build_full.json").write_text(json.dumps(build))
    page = performance_markdown(tmp_path)
    assert "within 35 minutes on this CPU: not met (40.0 min" in page
    assert "measured while another job shared the cores" in page


def test_the_stacked_table_shows_each_way_and_the_gain(tmp_path):
    rows = [
        {
            "case": "depth 4, stack of 4",
            "one_model_s": 1.09,
            "stacked_s_per_model": 0.6,
            "gain": 1.82,
        }
    ]
    (tmp_path / "stacked_training_cpu.json").write_text(
        json.dumps(
            {
                "machine": MACHINE,
                "threads": 2,
                "repeats": 2,
                "rows": rows,
            }
        )
    )
    page = performance_markdown(tmp_path)
    assert "## Many autoencoders trained as one" in page
    assert "one model, 2 threads (s per epoch)" in page
    assert "| depth 4, stack of 4 | 1.09 | 0.6 | 1.82x |" in page
    assert "Best of 2 repeats." in page


def seeded_build(name, cold, minutes, env=None, make=None, note=None):
    build = {
        "build": name,
        "env": env or {},
        "make": make or [],
        "returncode": 0,
        "seconds (venv included)": minutes * 60,
        "claims": 66,
        "claims held": 66,
        "chapters (s)": {"part1_01_noisy_sine": 6.9, "explorer": 870.5},
        "machine": {
            "cpu": "Test CPU",
            "avx512": False,
            "date": "2026-01-02",
        },
        "note": note,
    }
    if cold is not None:
        build["cold"] = cold
    return build


def test_the_seeded_builds_say_kernels_seed_start_and_claims(tmp_path):
    builds = [
        seeded_build("native", True, 100.0, note="cores shared"),
        seeded_build(
            "kernels", None, 50.0, env={"ONEDNN_MAX_CPU_ISA": "SSE41"}
        ),
        seeded_build("seed1", False, 40.0, make=["SEED=1"]),
    ]
    (tmp_path / "claims_anywhere_full.json").write_text(
        json.dumps({"builds": builds})
    )
    page = performance_markdown(tmp_path)
    assert "## The whole book with its seeds, on any machine" in page
    machine = "Test CPU (AVX2, no AVX-512), 2026-01-02"
    assert (
        f"| {machine} | the CPU's own | 0 | cold (nothing saved) "
        "| 100.0 min | 66 of 66 |" in page
    )
    assert (
        f"| {machine} | oneDNN's SSE41 kernels | 0 | not recorded "
        "| 50.0 min | 66 of 66 |" in page
    )
    assert "| 1 | resumed (saved runs reused) | 40.0 min |" in page
    # only the cold build is held to the aim and shows its chapters
    assert page.count("within 75 minutes") == 1
    assert "within 75 minutes on Test CPU: not met (100.0 min" in page
    assert page.count("| explorer | 870.5 |") == 1
    assert "cores shared" in page


def test_empty_folder_says_nothing_was_measured(tmp_path):
    assert performance_markdown(tmp_path).count("Not measured yet") == 2


@pytest.mark.parametrize(
    "name, text",
    [
        ("fit_vs_plain_cpu.json", "{truncated"),
        ("fit_vs_plain_cpu.json", '{"rows": []}'),
        ("book_build_full.json", json.dumps({"machine": MACHINE})),
        (
            "stacked_training_cpu.json",
            json.dumps({"machine": MACHINE, "rows": [{}]}),
        ),
        ("claims_anywhere_full.json", json.dumps({"builds": [{}]})),
    ],
)
def test_an_unusable_benchmark_file_is_named(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(
        BuildInputError, match=f"{name}: not a benchmark result"
    ):
        performance_markdown(tmp_path)


def test_the_gpu_chapters_say_which_claims_held_and_the_closest_call(
    tmp_path,
):
    gpu = {**MACHINE, "gpu": "Test GPU"}
    claims = [
        {"chapter": "a", "statement": "wide", "held": True, "margin": 0.5},
        {
            "chapter": "b",
            "statement": "exact",
            "held": True,
            "margin": "exact",
        },
        {
            "chapter": "c",
            "statement": "close",
            "held": True,
            "margin": 0.039,
        },
        {
            "chapter": "d",
            "statement": "lost",
            "held": False,
            "margin": None,
        },
    ]
    (tmp_path / "book_chapters_cuda.json").write_text(
        json.dumps(
            {
                "machine": gpu,
                "device": "cuda",
                "complete": False,
                "chapters": [
                    {"chapter": "a", "seconds": 5.0, "error": None}
                ],
                "claims": claims,
            }
        )
    )
    (tmp_path / "stacked_training_cuda.json").write_text(
        json.dumps(
            {
                "machine": gpu,
                "device": "cuda",
                "threads": 16,
                "repeats": 1,
                "rows": [
                    {
                        "case": "depth 2, stack of 16",
                        "one_model_s": 0.275,
                        "stacked_s_per_model": 0.027,
                        "gain": 10.15,
                    }
                ],
            }
        )
    )
    page = performance_markdown(tmp_path)
    assert (
        "3 of the 4 claims these chapters check held there; the closest "
        'call, 3.9% from failing: c, "close". Failed: d, "lost"'
    ) in page
    assert "one model on the GPU (s per epoch)" in page
    assert "One repeat." in page
    assert "16 threads" not in page.split("## Many autoencoders")[1]
