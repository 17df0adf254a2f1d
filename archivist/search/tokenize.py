"""The search tokeniser, build side.  ``static/tokenize.js`` implements the
same spec for queries in the browser; ``tests/tokenizer_vectors.json`` holds
the cases both must agree on.

Spec:
1. Fold: NFKC (full-width to half-width), lower case, then each character
   through the Traditional-to-Simplified character map.
2. Split into runs of Han characters and runs of ``[a-z0-9]``; anything else
   separates.
3. A Latin/number run is one token.  A Han run of one character is that
   character; a longer run gives every two-character bigram, plus its last
   character alone (so a one-character prefix query finds it at a run's end).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from archivist.text.script import to_simplified

HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")


@cache
def fold_map() -> dict[str, str]:
    """Every Han character OpenCC's t2s changes, with what it becomes (one
    character to one character: the part of script folding a browser can
    repeat exactly without OpenCC's phrase tables)."""
    chars = [chr(cp) for start, end in HAN_RANGES for cp in range(start, end + 1)]
    folded = to_simplified("\n".join(chars)).split("\n")
    return {
        source: target for source, target in zip(chars, folded, strict=True) if source != target and len(target) == 1
    }


@cache
def fold_table() -> dict[int, str]:
    return {ord(source): target for source, target in fold_map().items()}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(fold_table())


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for run in RUN.findall(fold(text)):
        if not ("\u3400" <= run[0] <= "\ufaff") or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            tokens.append(run[-1])
    return tokens
