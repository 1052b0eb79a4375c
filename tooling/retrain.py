"""Rerun what our code learns from the corpus; the results land in data/ for git to show."""

import os
import subprocess
import sys

from tooling import ROOT, log
from tooling.fetch import BuildError

# Deterministic: the same corpus gives the same files, byte for byte (the language model on
# a given machine: one BLAS thread, so sums are always added in the same order). The language
# model takes about 22 minutes, or moments when its finished checkpoint is in the cache.
RETRAIN = ("tools.train_tokenizer", "tools.train_vectors", "tools.count_predictions",
           "tools.train_lm", "tools.attention_habits", "tools.skip_ahead")


def retrain(cache):
    for module in RETRAIN:
        log(f"retraining: python -m {module}")
        done = subprocess.run([sys.executable, "-m", module], cwd=ROOT,
                              env={**os.environ, "LLMEXPLAIN_CACHE": str(cache),
                                   "OPENBLAS_NUM_THREADS": "1"}, check=False)
        if done.returncode:
            raise BuildError(f"python -m {module} failed (exit {done.returncode})")
