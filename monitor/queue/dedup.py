"""Near-duplicate detection: MinHash signatures and LSH band keys over normalised word shingles.

The only module that imports datasketch. Text is NFC-normalised, case-folded, diacritics folded (so a copy
without diacritics matches its original) and stripped of punctuation before shingling title + text.
Band keys go to the database (indexed with the article's time) so candidate lookup is a few index probes
in a recent window, whatever the archive size.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

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
    """(bands, rows) datasketch picks for this threshold (minimising false positives + negatives)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@lru_cache(maxsize=4)
def _template(num_perm: int) -> MinHash:
    """A MinHash whose permutations are reused (generating them is the costly part of construction)."""
    return MinHash(num_perm=num_perm, seed=_SEED)


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
    m = _template(settings.num_perm).copy()
    m.clear()
    if sh:
        m.update_batch(list(sh))
    values = m.hashvalues.astype(np.uint32)
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
