#!/usr/bin/env bash
# One call on a lent GPU machine: the CUDA tests, stacked training against
# one model alone, then every chapter at full size (with its seeds and
# claims) until the command's time runs out, in that order (under 10 minutes
# in all). The machine it was written for has Python 3.12 and PyTorch (CUDA)
# but not the notebook tools, and no internet: those come as wheels in .whl/,
# downloaded beforehand on a machine with the internet, for each Python the
# machine may have (their versions as in constraints.txt):
#   for v in 3.11 3.12; do pip download --no-deps --only-binary=:all: \
#     --python-version $v --platform manylinux2014_x86_64 \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#     --platform manylinux_2_5_x86_64 -c constraints.txt -d .whl \
#     ipykernel ipython jupyter_client jupyter_core nbclient nbformat traitlets \
#     pyzmq tornado comm matplotlib-inline prompt_toolkit pexpect ptyprocess \
#     stack_data asttokens executing pure_eval wcwidth fastjsonschema jsonschema \
#     jsonschema-specifications referencing rpds-py platformdirs ipywidgets \
#     jupyterlab_widgets ipython_pygments_lexers ffmpeg-python future \
#     PyWavelets tqdm pyyaml typing_extensions attrs pygments decorator parso \
#     psutil nest_asyncio; done
#   pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --platform manylinux2014_x86_64 -d .whl imageio-ffmpeg==0.6.0
# (0.6.0: its 30 MB wheel fits the transfer, where 0.8's 68 MB does not; jedi,
# debugpy and the notebook extension are left out, the kernel runs without.)
#   bash benchmarks/gpu_session.sh    (from the repository root; results go to $OUT)
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
T0=$(date +%s)
left() { echo $(( ${1} - ($(date +%s) - T0) )); }
elapsed() { left 0 | tr -d -; }
names=$(ls .whl | sed 's/-[0-9].*//' | sort -u)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target /tmp/site --find-links .whl $names || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TQDM_DISABLE=1
export PATH=/tmp/site/bin:$PATH
{
    date -u; nvidia-smi; nproc
    python3 -c "import torch, numpy, scipy, matplotlib, pywt; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), torch.cuda.get_device_name(0)); print('numpy', numpy.__version__, 'scipy', scipy.__version__, 'matplotlib', matplotlib.__version__, 'pywt', pywt.__version__)"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "=== CUDA and training tests (at $(elapsed) s) ==="
xdist=$(python3 -c "import xdist" 2>/dev/null && echo "-n 8")
# -v: each test's verdict is in the log as it ends, even if the run is cut
timeout 100 python3 -m pytest -v -rf $xdist -p no:cacheprovider -m "not slow" \
    tests/test_cuda.py tests/test_stacked.py tests/test_training.py \
    tests/test_models.py tests/test_part1.py tests/test_part2.py \
    > "$OUT/tests.log" 2>&1
echo "tests rc=$?"; grep -E "FAILED|^E |passed|failed" "$OUT/tests.log" | tail -n 25

cd benchmarks
echo "=== stacked against alone (at $(elapsed) s) ==="
timeout 70 python3 stacked_training.py --device cuda --repeats 1 --stack 4 16
cp stacked_training_cuda.json "$OUT/" 2>/dev/null

echo "=== every chapter, full profile (at $(elapsed) s) ==="
timeout $(left 555) python3 book_chapters.py --profile full \
    --deadline $(left 470) --scratch /tmp/book_scratch \
    --executed /tmp/executed > /tmp/book.log 2>&1
echo "book rc=$?"; grep -E "^[a-z0-9_]+: [0-9.]+ s|Error|error" /tmp/book.log | head -40
cp book_chapters_cuda.json "$OUT/" 2>/dev/null
tar -czf "$OUT/executed.tar.gz" -C /tmp executed book.log book_scratch/records 2>/dev/null
echo "done at $(elapsed) s"
