"""Epoch minutes as the naive datetimes Plotly draws: UTC, or a zone's wall clock."""

from __future__ import annotations

import numpy as np
import pandas as pd


def utc_index(t: np.ndarray) -> pd.DatetimeIndex:
    """Epoch minutes → naive UTC datetimes (what Plotly draws)."""
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(t, dtype=np.int64) * 60, unit="s"))


def local_naive(t: np.ndarray, tz: str) -> pd.DatetimeIndex:
    """Epoch minutes → naive wall-clock datetimes in `tz`."""
    utc = pd.to_datetime(np.asarray(t, dtype=np.int64) * 60, unit="s", utc=True)
    return pd.DatetimeIndex(utc.tz_convert(tz).tz_localize(None))
