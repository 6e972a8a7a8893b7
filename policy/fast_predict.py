"""One sparse row through LightGBM: its single-row fast path where that is known to work.

`Booster.predict` checks and converts its input on every call, which costs more than the
trees of a small model; the fast path is set up once per booster and then only walks the trees
(measured: 106 -> 79 us per row for 3,000 trees). It is LightGBM's private C API, called by
ctypes, so `single_row_predictor` uses it only on the LightGBM versions it was verified with
(`FAST_PATH_VERSIONS`, which pyproject.toml pins too) and only when its private names are there.
Otherwise it falls back to the public `Booster.predict`, slower but the same probabilities,
and logs why once per process.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
import weakref
from collections.abc import Sequence
from typing import Protocol

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

log = logging.getLogger(__name__)

FAST_PATH_VERSIONS = ((4, 5), (5, 0))
"""LightGBM (major, minor) versions the fast path works with: from the first, below the second."""

_PRIVATE_NAMES = ("_LIB", "_C_API_DTYPE_FLOAT32", "_C_API_DTYPE_INT32", "_C_API_PREDICT_NORMAL")
"""What `SingleRowPredictor` takes from `lightgbm.basic`."""
_C_FUNCTIONS = (
    "LGBM_BoosterPredictForCSRSingleRowFastInit",
    "LGBM_BoosterPredictForCSRSingleRowFast",
    "LGBM_FastConfigFree",
    "LGBM_GetLastError",
)
"""What `SingleRowPredictor` calls in LightGBM's library."""
_ARGUMENTS = ctypes.c_char_p(b"num_threads=1")

_warned = False
_warned_lock = threading.Lock()


class RowPredictor(Protocol):
    def predict(self, indices: Sequence[int], values: Sequence[float]) -> NDArray[np.float64]:
        """Class probabilities of the row whose non-zero columns are `indices`."""
        ...


def single_row_predictor(booster: lgb.Booster, num_features: int) -> RowPredictor:
    """The fast path where it is known to work, else the public one (said once per process)."""
    problem = fast_path_problem()
    if problem is None:
        try:
            return SingleRowPredictor(booster, num_features)
        except lgb.basic.LightGBMError as exc:
            problem = f"LightGBM {lgb.__version__} refused to set up the fast path: {exc}"
    _warn_once(problem)
    return PublicRowPredictor(booster, num_features)


def fast_path_problem() -> str | None:
    """Why the installed LightGBM does not get the fast path, or None when it does."""
    version = lgb.__version__
    if not _verified(version):
        low, high = (".".join(map(str, bound)) for bound in FAST_PATH_VERSIONS)
        return f"LightGBM {version} is not one the fast path was verified with (>={low}, <{high})"
    missing = [name for name in _PRIVATE_NAMES if not hasattr(lgb.basic, name)]
    if not missing:
        missing = [name for name in _C_FUNCTIONS if not hasattr(lgb.basic._LIB, name)]
    if missing:
        return f"LightGBM {version} has no {', '.join(missing)}"
    return None


def _verified(version: str) -> bool:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (
        match is not None
        and FAST_PATH_VERSIONS[0] <= (int(match[1]), int(match[2])) < FAST_PATH_VERSIONS[1]
    )


def _warn_once(problem: str) -> None:
    global _warned
    with _warned_lock:
        if _warned:
            return
        _warned = True
    log.warning(
        "LightGBM's single-row fast path is off: %s. Predictions use the public "
        "Booster.predict instead: slower, the same probabilities.",
        problem,
    )


class SingleRowPredictor:
    """Class probabilities of one CSR row; safe to call from several threads (one at a time).

    Only for a LightGBM that `fast_path_problem` accepts: it uses private names.
    """

    def __init__(self, booster: lgb.Booster, num_features: int) -> None:
        basic = lgb.basic
        self._lib = basic._LIB
        self._booster = booster  # the fast config points into it: keep it alive
        self._config = ctypes.c_void_p()
        self._check(
            self._lib.LGBM_BoosterPredictForCSRSingleRowFastInit(
                booster._handle,
                ctypes.c_int(basic._C_API_PREDICT_NORMAL),
                ctypes.c_int(0),
                ctypes.c_int(-1),
                ctypes.c_int(basic._C_API_DTYPE_FLOAT32),
                ctypes.c_int64(num_features),
                _ARGUMENTS,
                ctypes.byref(self._config),
            )
        )
        self._int32 = ctypes.c_int(basic._C_API_DTYPE_INT32)
        self._result = np.zeros(booster.num_model_per_iteration(), dtype=np.float64)
        self._result_pointer = self._result.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        self._length = ctypes.c_int64()
        self._lock = threading.Lock()
        # Freed with this object, or at exit while LightGBM's library is still loaded.
        weakref.finalize(self, self._lib.LGBM_FastConfigFree, self._config)

    def predict(self, indices: Sequence[int], values: Sequence[float]) -> NDArray[np.float64]:
        count = len(indices)
        row_indices = (ctypes.c_int32 * count)(*indices)
        row_values = (ctypes.c_float * count)(*values)
        indptr = (ctypes.c_int32 * 2)(0, count)
        with self._lock:
            self._check(
                self._lib.LGBM_BoosterPredictForCSRSingleRowFast(
                    self._config,
                    indptr,
                    self._int32,
                    row_indices,
                    row_values,
                    ctypes.c_int64(2),
                    ctypes.c_int64(count),
                    ctypes.byref(self._length),
                    self._result_pointer,
                )
            )
            return self._result.copy()

    def _check(self, code: int) -> None:
        if code != 0:
            raise lgb.basic.LightGBMError(self._lib.LGBM_GetLastError().decode("utf-8"))


class PublicRowPredictor:
    """`SingleRowPredictor` by the public `Booster.predict`: slower, the same probabilities."""

    def __init__(self, booster: lgb.Booster, num_features: int) -> None:
        self._booster = booster
        self._shape = (1, num_features)

    def predict(self, indices: Sequence[int], values: Sequence[float]) -> NDArray[np.float64]:
        # float32 values, as the fast path passes them: a threshold sees the same number.
        data = np.asarray(values, dtype=np.float32)
        columns = np.asarray(indices, dtype=np.int32)
        row = csr_matrix((data, columns, [0, len(columns)]), shape=self._shape)
        return np.asarray(self._booster.predict(row, num_threads=1), dtype=np.float64)[0]
