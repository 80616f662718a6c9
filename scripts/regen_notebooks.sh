#!/usr/bin/env bash
# Re-execute every workbook notebook in place (against the bundled demo servers, launched live) and
# strip volatile metadata while keeping outputs: the one command that produces the committed outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=300 \
    --ExecutePreprocessor.kernel_name=python3 notebooks/[0-9]*.ipynb
"$PY" -m nbstripout --keep-output --keep-count notebooks/[0-9]*.ipynb
