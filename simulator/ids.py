"""Vectorised id builders: Salesforce 18-character ids, fixed-width prefixed ids, numeric ids.

Ids are pure functions of an entity's global index, so every format can name the same entity and
the truth can quote its id in each format without looking at a rendered file.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
SF_NULL_ID = "000000000000000AAA"


def _strings_from_matrix(mat: np.ndarray) -> pa.Array:
    """Turn an (n, width) uint8 matrix of ASCII bytes into a pyarrow string array without a Python loop."""
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def sf_ids(prefix: str, index: np.ndarray) -> pa.Array:
    """Salesforce 18-character ids: key prefix + pod '5g' + base62 counter + case-checksum suffix.

    The suffix follows Salesforce's algorithm (one character per 5-character block, encoding which
    characters are upper case), so the ids look and behave like real exported ids.
    """
    index = np.asarray(index, dtype=np.int64)
    n = index.shape[0]
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, :3] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat[:, 3:5] = np.frombuffer(b"5g", dtype=np.uint8)
    rest = index.copy()
    for pos in range(14, 4, -1):
        mat[:, pos] = _BASE62[rest % 62]
        rest //= 62
    upper = (mat[:, :15] >= ord("A")) & (mat[:, :15] <= ord("Z"))
    weights = 1 << np.arange(5)
    for block in range(3):
        bits = (upper[:, block * 5 : (block + 1) * 5] * weights).sum(axis=1)
        mat[:, 15 + block] = _SUFFIX[bits]
    return _strings_from_matrix(mat)


def sf_ids_or_null(prefix: str, index: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Salesforce lookups: the id where valid, else the all-zero id Salesforce exports for null."""
    ids = sf_ids(prefix, np.where(valid, index, 0))
    return pc.if_else(pa.array(np.asarray(valid, dtype=bool)), ids, pa.scalar(SF_NULL_ID, pa.large_string()))


def prefixed_ids(prefix: str, index: np.ndarray, digits: int = 8) -> pa.Array:
    """Readable fixed-width ids for the generic CRM (``P00000042``)."""
    index = np.asarray(index, dtype=np.int64)
    n = index.shape[0]
    width = len(prefix) + digits
    mat = np.empty((n, width), dtype=np.uint8)
    mat[:, : len(prefix)] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    rest = index.copy()
    for pos in range(width - 1, len(prefix) - 1, -1):
        mat[:, pos] = 48 + rest % 10
        rest //= 10
    return _strings_from_matrix(mat)


def numeric_ids(base: int, index: np.ndarray) -> pa.Array:
    """HubSpot-style numeric ids as text."""
    return pc.cast(pa.array(np.asarray(index, dtype=np.int64) + base), pa.large_string())


def sf_id(prefix: str, index: int) -> str:
    """One Salesforce id, for the truth's examples."""
    return sf_ids(prefix, np.array([index]))[0].as_py()


def prefixed_id(prefix: str, index: int, digits: int = 8) -> str:
    return f"{prefix}{index:0{digits}d}"


# Id schemes per format (global index -> id). Kept here so truth examples and renderers agree.
HS_CONTACT_BASE = 5_100_000_001
HS_COMPANY_BASE = 8_200_000_001
HS_DEAL_BASE = 9_300_000_001
HS_OWNER_BASE = 40_000_001


def person_id(fmt: str, pid: int) -> str:
    return {
        "salesforce": lambda: sf_id("00Q", pid + 1),
        "hubspot": lambda: str(HS_CONTACT_BASE + pid),
        "generic": lambda: prefixed_id("P", pid + 1),
    }[fmt]()


def deal_id(fmt: str, did: int) -> str:
    return {
        "salesforce": lambda: sf_id("006", did + 1),
        "hubspot": lambda: str(HS_DEAL_BASE + did),
        "generic": lambda: prefixed_id("D", did + 1),
    }[fmt]()
