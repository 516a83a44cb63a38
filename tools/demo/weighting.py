"""Rim weighting (raking) of a survey sample to the Census profile.

Iterative proportional fitting over the margins (age band, gender, ethnicity),
trimming the weights to [0.3, 3] on every pass so no respondent counts for too
much or too little, as survey agencies deliver them.
"""

from __future__ import annotations

import numpy as np


def rake(sample: dict[str, np.ndarray], targets: dict[str, dict[str, float]], trim: tuple[float, float],
         iterations: int = 200, tolerance: float = 1e-7) -> np.ndarray:
    """Weights (mean ~1) so the weighted sample matches each margin in `targets`."""
    n = len(next(iter(sample.values())))
    w = np.ones(n)
    lo, hi = trim
    for _ in range(iterations):
        before = w.copy()
        for dim, shares in targets.items():
            x = sample[dim]
            total_share = sum(shares.values())
            total = w.sum()  # categories are disjoint: fix the total before adjusting them
            for category, share in shares.items():
                m = x == category
                s = w[m].sum()
                if s > 0:
                    w[m] *= share / total_share * total / s
        w = np.clip(w * n / w.sum(), lo, hi)
        if np.max(np.abs(w - before)) < tolerance:
            break
    return w
