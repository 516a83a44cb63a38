"""Reproducible randomness and pseudonyms.

Every generator draws from its own stream keyed by (seed, stream name, key),
e.g. one stream per source per day. So the output for a day does not depend on
how much other data was generated before it, and the same arguments always
give byte-identical files.
"""

from __future__ import annotations

import zlib

import numpy as np
import pyarrow as pa

from tools.demo.formats import strings_from_matrix

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def stream(seed: int, name: str, *keys: int) -> np.random.Generator:
    """An independent generator for (seed, name, keys...)."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(name.encode()), *[int(k) for k in keys]])


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def pseudonyms(ids: np.ndarray, seed: int, domain: str, valid: np.ndarray | None = None) -> pa.StringArray:
    """32-char lowercase hex pseudonyms, one per integer id, stable for a seed.

    Real systems hash the phone number / CRM id with a secret salt; here the
    salt comes from the seed and the domain (callers, customers, employees), so
    the same caller keeps the same hash across days and files. Null where not
    `valid` (a withheld number, an anonymous contact).
    """
    ids = np.asarray(ids).astype(np.uint64)
    salt = np.uint64((zlib.crc32(domain.encode()) << 32) | (int(seed) & 0xFFFFFFFF))
    a = _splitmix64(ids ^ salt)
    b = _splitmix64(a ^ np.uint64(0xD1B54A32D192ED03))
    raw = np.stack([a, b], axis=1).astype(">u8").view(np.uint8).reshape(len(ids), 16)
    chars = np.empty((len(ids), 32), dtype=np.uint8)
    chars[:, 0::2] = _HEX[raw >> 4]
    chars[:, 1::2] = _HEX[raw & 15]
    return strings_from_matrix(chars, valid)


def exact_counts(shares, n: int) -> np.ndarray:
    """Split n into integer counts proportional to shares (largest remainder)."""
    p = np.asarray(shares, dtype=float)
    p = p / p.sum()
    raw = p * n
    counts = np.floor(raw).astype(int)
    rest = n - counts.sum()
    if rest:
        counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return counts
