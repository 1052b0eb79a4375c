"""Chapter 7's training run computed ahead: the figure's own run at a few steps, to load.

On a slow device a reader never sees step 1,000. tools/skip_ahead.py runs the figure's run
(the demo itself, seed SEED) under CPython and saves it at each of STEPS: everything the page
needs to go on exactly as if it had trained that far itself (weights, AdamW's m, v and t, the
batch generator's state) and what the figure shows of the past (the train and held-out curves,
the samples it keeps). The page fetches a file only when the reader asks for that step.

Every number is stored as the run holds it (float32 weights and AdamW averages, float64
curves, the generator's state as JSON), so nothing is rounded: the run continued in the page
is the run that would have got there. One file a step, as `save` writes it.

>>> name(1000)
'train-lm-step1000.npz'
"""

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

SEED = 1  # the figure's default seed: the only run computed ahead
STEPS = (250, 1000, 3000)
LABEL = "computed ahead on a build machine (CPython)"


def name(step):
    """The data file of the run at `step`."""
    return f"train-lm-step{step}.npz"


def save(file, weights, adam, rng_state, train, heldout, samples, **info):
    """Write the run as it is after step adam["t"]: weights and AdamW state as stored arrays,
    the rest as JSON (`info`: small facts, such as the seed). Fixed timestamps, so the same
    run gives the same bytes; written to a temporary file first, so a crash while saving
    leaves the previous file as it was."""
    arrays = {f"params/{k}": w for k, w in weights.items()}
    arrays |= {f"m/{k}": w for k, w in adam["m"].items()}
    arrays |= {f"v/{k}": w for k, w in adam["v"].items()}
    meta = {"t": adam["t"], "rng": rng_state, "train": train, "heldout": heldout,
            "samples": samples, "info": info}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    file = Path(file)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                       buffer.getvalue())
    os.replace(tmp, file)


def load(file):
    """-> dict with "weights", "adam" (as lm_training keeps it), "rng" (the batch generator's
    state), "train" and "heldout" [(step, bits per character)], "samples" [(step, text)],
    "info", as `save` stored them."""
    with np.load(file, allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]))
        part = {p: {k.split("/", 1)[1]: z[k] for k in z.files if k.startswith(p + "/")}
                for p in ("params", "m", "v")}
    pairs = {key: [tuple(p) for p in meta[key]] for key in ("train", "heldout", "samples")}
    return {"weights": part["params"], "adam": {"t": meta["t"], "m": part["m"], "v": part["v"]},
            "rng": meta["rng"], "info": meta["info"], **pairs}


# ---------------------------------------------------------------- words

def status(ahead, steps, last):
    """The status line while the run stands where it was loaded, else None."""
    if not ahead or steps != ahead:
        return None
    if ahead >= last:
        return f"Step {ahead:,}, the end of the run, {LABEL}."
    return f"Step {ahead:,}, {LABEL}: press Play to go on from it here."


def note(ahead, seed, can_skip):
    """The line under the skip buttons: what they load, or why they do not apply."""
    if not can_skip:
        return (f"Computed ahead only for seed {SEED} on the four books, the figure’s first "
                f"run; this one (seed {seed:,}) trains here from random numbers.")
    if ahead:
        return (f"Steps 1 to {ahead:,} were {LABEL}, with the same seed and the same code; "
                "what comes after is trained here.")
    return f"The same run (seed {SEED}), {LABEL}: loaded in one press, it goes on here."
