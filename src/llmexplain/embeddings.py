"""Chapter 3 — embeddings: every word a row of numbers, and similar words point the same way.

A table holds one row per word. Two words are "close" when their rows point in nearly the
same direction, whatever their lengths: the cosine of the angle between them is near 1.
The rows are scaled to length 1 once, when the table is read, so that every cosine with
every word is a single matrix-vector product (unit_similarities, the fast twin of the
readable similarities).

Shapes used below:
    n       words in the table
    d       numbers per word (50 for both of our tables)
    unit    [n, d]  the rows scaled to length 1
    vector  [d]     one word's numbers, or a sum of them
    k       answers wanted

>>> unit = normalise(np.array([[3.0, 4.0], [1.0, 0.0], [0.0, -2.0]]))
>>> rows, cosines = nearest(unit, np.array([1.0, 0.1]), 2)
>>> rows, cosines.round(3)
(array([1, 0]), array([0.995, 0.677], dtype=float32))
"""

import io
import zipfile
from dataclasses import dataclass

import numpy as np


def normalise(vectors):
    """Each row divided by its length; an all-zero row stays zero. [n, d] -> [n, d] float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)  # [n, 1]
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def cosine(u, v):
    """The cosine of the angle between u and v: 1 same direction, 0 unrelated, −1 opposite.

    >>> round(cosine([1, 0], [1, 1]), 4), cosine([1, 2], [-2, 1]), cosine([1, 1], [-3, -3])
    (0.7071, 0.0, -1.0)
    """
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    lengths = np.linalg.norm(u) * np.linalg.norm(v)
    return float(u @ v / lengths) if lengths > 0 else 0.0


def similarities(vectors, vector):
    """The cosine of `vector` with every row of `vectors`: each dot product divided by the
    two lengths, so only the directions count. [n, d], [d] -> [n]

    >>> similarities(np.array([[3.0, 4.0], [0.0, -2.0]]), np.array([1.0, 0.0])).round(3)
    array([0.6, 0. ], dtype=float32)
    """
    vectors = np.asarray(vectors, dtype=np.float32)  # [n, d]
    vector = np.asarray(vector, dtype=np.float32)  # [d]
    dots = vectors @ vector  # [n, d] @ [d] -> [n]
    lengths = np.linalg.norm(vectors, axis=1) * np.linalg.norm(vector)  # [n]
    return np.divide(dots, lengths, out=np.zeros_like(dots), where=lengths > 0)


def unit_similarities(unit, vector):
    """similarities() for rows already of length 1: one matrix-vector product. -> [n]"""
    length = np.linalg.norm(vector)
    if not length > 0:
        return np.zeros(len(unit), dtype=np.float32)
    return unit @ (np.asarray(vector, dtype=np.float32) / np.float32(length))  # [n, d] @ [d]


def nearest(unit, vector, k, exclude=()):
    """The k rows most similar to `vector`, best first, skipping the rows in `exclude`.

    Returns (rows [k], cosines [k]); equal cosines come in row order, so the answer
    never depends on how numpy happens to partition.
    """
    return top(unit_similarities(unit, vector), k, exclude)


def top(scores, k, exclude=()):
    """The k rows with the highest scores [n], best first, skipping `exclude`:
    (rows [k], scores [k]), ties in row order."""
    keep = np.ones(len(scores), dtype=bool)
    keep[list(exclude)] = False
    rows = np.flatnonzero(keep)
    k = min(k, len(rows))
    if k == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
    # subtle: argpartition may split a tie at the k-th place arbitrarily, so take every
    # row that scores at least the k-th best before sorting by (score, row).
    kth = np.partition(scores[rows], len(rows) - k)[len(rows) - k]
    best = rows[scores[rows] >= kth]
    order = np.lexsort((best, -scores[best]))[:k]
    return best[order], scores[best[order]]


def analogy(unit, a, b, c, k=5):
    """a − b + c: the rows nearest to unit[a] − unit[b] + unit[c], leaving out a, b and c.

    The three words themselves are left out (as in Mikolov et al. 2013): otherwise the
    answer to king − man + woman would usually be "king" itself.
    """
    return nearest(unit, offset(unit, a, b, c), k, exclude=(a, b, c))


def offset(unit, a, b, c):
    """The point a − b + c, from the rows of length 1 (so each word counts alike). -> [d]"""
    return unit[a] - unit[b] + unit[c]  # [d]


def pca(points, dims=2):
    """The directions along which `points` [m, d] vary most, for drawing them on a page.

    Returns (mean [d], axes [dims, d]): the eigenvectors of the covariance matrix with the
    largest eigenvalues, each turned so that its largest entry is positive (an eigenvector's
    sign is arbitrary, and a map that flips between runs would be confusing).
    """
    points = np.asarray(points, dtype=np.float64)
    mean = points.mean(axis=0)  # [d]
    centred = points - mean  # [m, d]
    covariance = centred.T @ centred / max(len(points) - 1, 1)  # [d, d]
    _, vectors = np.linalg.eigh(covariance)  # in order of ascending eigenvalue
    axes = vectors[:, ::-1][:, :dims].T  # [dims, d], largest variance first
    biggest = np.argmax(np.abs(axes), axis=1)
    axes *= np.sign(axes[np.arange(dims), biggest])[:, None]
    return mean, axes


def project(vectors, mean, axes):
    """Coordinates of vectors [m, d] along the axes from `pca`. -> [m, dims]"""
    return (np.asarray(vectors, dtype=np.float64) - mean) @ axes.T


# -------------------------------------------------------------------- the tables on disk

@dataclass
class Table:
    """A word table as read from disk: the words, their numbers and their unit rows."""

    words: list  # [n] str
    raw: np.ndarray  # [n, d] float32, the numbers as trained
    unit: np.ndarray  # [n, d] float32, each row of length 1
    info: dict  # whole numbers about where it came from, e.g. {"source_words": 400000}

    def __post_init__(self):
        self.row = {w: i for i, w in enumerate(self.words)}


def save(file, words, vectors, **info):
    """Write a table: float16 numbers, the words as UTF-8 lines, and whole-number facts.

    An .npz (a zip of .npy files) with fixed timestamps, so the same table gives the same
    bytes; `load` reads it back, with numpy alone and no pickle.
    """
    arrays = {"words": np.frombuffer("\n".join(words).encode(), dtype=np.uint8),
              "vectors": np.asarray(vectors, dtype=np.float16),
              **{f"info_{k}": np.array(v, dtype=np.int64) for k, v in info.items()}}
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            # float16 numbers barely compress, and inflating them costs time at every load.
            how = zipfile.ZIP_STORED if name == "vectors" else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                       buffer.getvalue(), compress_type=how)


def load(file):
    with np.load(file, allow_pickle=False) as z:
        words = bytes(z["words"]).decode().split("\n")
        raw = z["vectors"].astype(np.float32)  # [n, d]
        info = {k[5:]: int(z[k]) for k in z.files if k.startswith("info_")}
    if len(words) != len(raw):
        raise ValueError(f"{file}: {len(words)} words but {len(raw)} vectors")
    return Table(words, raw, normalise(raw), info)
