#!/usr/bin/env bash
# One call on a lent GPU machine: the CUDA tests, fit against the plain loop,
# every chapter at full size, and the seed spread, in that order, each within
# its share of one command's time (under 10 minutes in all). The machine it
# was written for has Python 3.12 and PyTorch (CUDA) but not the notebook
# tools, and no internet: those come as wheels in .whl/, downloaded beforehand
# on a machine with the internet (their versions as in constraints.txt):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 -d .whl \
#     ipykernel ipython jupyter_client jupyter_core nbclient nbformat traitlets \
#     pyzmq tornado comm matplotlib-inline prompt_toolkit pexpect ptyprocess \
#     stack_data asttokens executing pure_eval wcwidth fastjsonschema jsonschema \
#     jsonschema-specifications referencing rpds-py platformdirs ipywidgets \
#     jupyterlab_widgets ipython_pygments_lexers ffmpeg-python future \
#     imageio-ffmpeg==0.6.0
# (0.6.0: its 30 MB wheel fits the transfer; jedi, debugpy and the notebook
# extension are left out, the kernel runs without them.)
#   bash benchmarks/gpu_session.sh    (from the repository root; results go to $OUT)
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
T0=$(date +%s)
left() { echo $(( ${1} - ($(date +%s) - T0) )); }
elapsed() { left 0 | tr -d -; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
export PATH=/tmp/site/bin:$PATH
{
    date -u; nvidia-smi; nproc
    python3 -c "import torch, numpy, scipy, matplotlib; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), torch.cuda.get_device_name(0)); print('numpy', numpy.__version__, 'scipy', scipy.__version__, 'matplotlib', matplotlib.__version__)"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "=== CUDA and unit tests (at $(elapsed) s) ==="
timeout 110 python3 -m pytest -q -n 8 -p no:cacheprovider -m "not slow" \
    tests/test_cuda.py tests/test_training.py tests/test_models.py \
    tests/test_losses.py tests/test_data.py tests/test_part1.py \
    tests/test_part2.py tests/test_cache.py tests/test_animation.py \
    tests/test_baselines.py tests/test_oracles.py tests/test_linear.py \
    tests/test_profile_runtime.py tests/test_records.py tests/test_plots.py \
    tests/test_checks.py tests/test_claims.py tests/test_explorer.py \
    > "$OUT/tests.log" 2>&1
echo "tests rc=$?"; tail -n 25 "$OUT/tests.log"

cd benchmarks
echo "=== fit against the plain loop (at $(elapsed) s) ==="
timeout 90 python3 fit_vs_plain.py --device cuda --repeats 5 2>&1 | tr "\r" "\n" | grep -v "epoch/s"
cp fit_vs_plain_cuda.json "$OUT/" 2>/dev/null

echo "=== every chapter, full profile (at $(elapsed) s) ==="
timeout $(left 470) python3 book_chapters.py --profile full --deadline 330 \
    --scratch /tmp/book_scratch \
    --executed /tmp/executed > /tmp/book.log 2>&1
echo "book rc=$?"; grep -E "^[a-z0-9_]+: [0-9.]+ s|Error|error" /tmp/book.log | head -40
cp book_chapters_cuda.json "$OUT/" 2>/dev/null
field() { python3 -c "import json; print(json.load(open('book_chapters_cuda.json'))['$1'])"; }
records=$(field records)
(cd .. && python3 -m bookbuild gather --profile full --records "$records" \
    --out "$OUT/results_cuda.json" 2>&1 | tail -3)
tar -czf "$OUT/executed.tar.gz" -C /tmp executed book.log 2>/dev/null

echo "=== seed spread (at $(elapsed) s) ==="
timeout $(left 585) python3 seed_spread.py --workers 10 --deadline $(left 570) \
    --artifacts "$(field artifacts)" \
    > /tmp/seeds.log 2>&1
echo "seeds rc=$?"; tr "\r" "\n" < /tmp/seeds.log | grep -v "epoch/s" | tail -30
cp seed_spread_cuda.json "$OUT/" 2>/dev/null
echo "done at $(elapsed) s"
