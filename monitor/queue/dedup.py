"""Near-duplicate detection: MinHash signatures and LSH band keys over normalised word shingles.

Text is NFC-normalised, case-folded, diacritics folded (so a copy
without diacritics matches its original) and stripped of punctuation before shingling title + text.
Band keys go to the database (indexed with the article's time) so candidate lookup is a few index probes
in a recent window, whatever the archive size.

MinHash and the (bands, rows) choice are written here with numpy, bit for bit as datasketch 2's MinHash
(default "affine32" scheme, seed 1) and MinHashLSH compute them — tests/test_queue_dedup.py pins both to
datasketch. Importing datasketch cost every analysis process ~0.5-1 s (its LSH imports scipy.integrate
for one integral), and writing the scheme down keeps stored signatures from changing with a datasketch
release (its default scheme changed in 2.0).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from monitor.config_tables import QueueSettings

_WORD = re.compile(r"\w+")
_PLACE_PREFIX = re.compile(r"^[^:.!?]{1,30}:\s*")  # "Kon Tum: …", "TP.HCM: …" before a syndicated title
TITLE_BAND = 1000  # band number of the title key (the MinHash bands are 0..b-1)
MIN_TITLE_WORDS = 4  # shorter titles ("Thông báo") say nothing about identity
_SEED = 1  # fixed: stored signatures must stay comparable across processes and releases


def fold(text: str) -> str:
    """NFC, case-fold, drop diacritics (đ → d): 'Công an tỉnh' → 'cong an tinh'."""
    text = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, punctuation dropped."""
    return _WORD.findall(fold(text))


def shingles(text: str, size: int = 3) -> set[bytes]:
    """The set of `size`-word shingles of a text (one shingle if the text is shorter)."""
    ws = words(text)
    if len(ws) <= size:
        return {" ".join(ws).encode()} if ws else set()
    return {" ".join(ws[i : i + size]).encode() for i in range(len(ws) - size + 1)}


@dataclass(frozen=True)
class Signature:
    """A text's MinHash (as bytes), how many shingles it had, and its LSH band keys."""

    minhash: bytes
    shingles: int
    bands: tuple[int, ...]


@lru_cache(maxsize=8)
def _bands_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising false positives + negatives (equal weights), as MinHashLSH picks them.

    The error of (b, r) is the integral of 1 - (1 - s^r)^b over [0, threshold] (pairs below the threshold
    that share a band) plus that of (1 - s^r)^b over [threshold, 1] (pairs above that share none): both
    polynomials of degree b·r <= num_perm, which Gauss-Legendre with num_perm // 2 + 1 nodes integrates
    exactly. Scanned in datasketch's order with its strict `<`, so ties go the same way; refused where
    MinHashLSH refuses (threshold outside [0, 1], fewer than 2 permutations, fewer than 2 bands).
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    if num_perm < 2:
        raise ValueError("Too few permutation functions")
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    half_fp, half_fn = threshold / 2, (1 - threshold) / 2
    s_fp, s_fn = half_fp * nodes + half_fp, half_fn * nodes + (1 + threshold) / 2
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = half_fp * float(weights @ (1 - (1 - s_fp**r) ** b))
            fn = half_fn * float(weights @ ((1 - s_fn**r) ** b))
            error = fp * 0.5 + fn * 0.5
            if error < best:
                best, opt = error, (b, r)
    if opt[0] < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return opt


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The seed's affine permutations h -> a·h + b mod 2^32 (a odd), drawn as datasketch draws them."""
    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer (a bijection that spreads the input hash before the permutations)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(items: Collection[bytes], num_perm: int) -> npt.NDArray[np.uint32]:
    """The MinHash of a set: per permutation, the least a·fmix(h) + b over the items' hashes.

    h is the first 4 bytes of each item's SHA-1, little-endian (datasketch's sha1_hash32); uint32
    arithmetic wraps, which is the mod 2^32. An empty set gives all 0xFFFFFFFF.
    """
    if not items:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _permutations(num_perm)
    hashes = np.frombuffer(b"".join(hashlib.sha1(x).digest()[:4] for x in items), dtype="<u4")
    mixed = _fmix32(hashes.astype(np.uint32)).reshape(-1, 1)
    values: npt.NDArray[np.uint32] = (mixed * a + b).min(axis=0)
    return values


def band_key(band: int, values: np.ndarray) -> int:
    """A signed 64-bit key for one band (fits BIGINT)."""
    digest = hashlib.blake2b(values.tobytes(), digest_size=8, person=band.to_bytes(2, "big") * 8).digest()
    return int.from_bytes(digest, "big", signed=True)


def title_key(title: str) -> int | None:
    """A band key for the title without a place prefix: lede-only copies share it, not the text's bands."""
    ws = words(_PLACE_PREFIX.sub("", title.strip()))
    if len(ws) < MIN_TITLE_WORDS:
        return None
    return band_key(TITLE_BAND, np.frombuffer(" ".join(ws).encode(), dtype=np.uint8))


def signature(title: str, text: str, settings: QueueSettings) -> Signature:
    """The signature of an article's title + text (MinHash bands, then the title key if any)."""
    sh = shingles(f"{title}\n{text}", settings.shingle_words)
    values = minhash(sh, settings.num_perm)
    b, r = _bands_rows(settings.lsh_threshold, settings.num_perm)
    bands = tuple(band_key(i, values[i * r : (i + 1) * r]) for i in range(b))
    tk = title_key(title)
    return Signature(values.tobytes(), len(sh), bands + ((tk,) if tk is not None else ()))


def jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored MinHashes (share of equal slots)."""
    va, vb = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    if len(va) != len(vb) or len(va) == 0:
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)


def containment(j: float, n_a: int, n_b: int) -> float:
    """Share of the smaller shingle set inside the larger, from Jaccard and the set sizes."""
    if min(n_a, n_b) == 0:
        return 0.0
    inter = j * (n_a + n_b) / (1 + j)
    return min(1.0, inter / min(n_a, n_b))


def same_story(a: Signature, b_minhash: bytes, b_shingles: int, settings: QueueSettings) -> float | None:
    """The similarity score if the two texts are one story, else None."""
    j = jaccard(a.minhash, b_minhash)
    if j >= settings.similarity:
        return j
    small = min(a.shingles, b_shingles)
    if (
        small >= settings.containment_min_shingles
        and containment(j, a.shingles, b_shingles) >= settings.containment
    ):
        return j
    return None
