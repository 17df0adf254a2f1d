"""The build cache's values as JSON, and back: data, never code.

A cache file is read from a folder anyone with write access to it could fill,
so it must not be able to run anything (a pickle can).  Values are plain JSON
where JSON has the type; the rest are tagged one-key objects: tuples, sets,
dicts with keys that are not text, bytes, arrays, dates, and the dataclasses
the cache holds, which are named in ``STORED_CLASSES`` and nowhere else: a
file that names another class, or is not what this module writes, is not
read (the build starts from no cache).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from array import array
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from archivist.model import Article, Author, Failure, Region
from archivist.search.index import SearchState
from archivist.search.searchdocs import Facets
from archivist.search.shards import FieldTerms
from archivist.site.entries import Use
from archivist.site.glossary import TextSlogans
from archivist.text.clean import Block

STORED_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Article, Author, Block, Facets, Failure, FieldTerms, Region, SearchState, TextSlogans, Use)
}
FIELD_NAMES = {name: tuple(f.name for f in fields(cls)) for name, cls in STORED_CLASSES.items()}
TAG = "\0"  # tagged objects have one key starting with it; no plain dict's key does (see to_data)


class StoredDataError(ValueError):
    """A file that is not a cache this module wrote."""


def to_data(value: Any) -> Any:
    """``value`` as JSON-ready data (lists, dicts with text keys, scalars)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:
        return [to_data(item) for item in value]
    if kind is tuple:
        return {TAG + "t": [to_data(item) for item in value]}
    if kind is dict:
        if all(type(key) is str and not key.startswith(TAG) for key in value):
            return {key: to_data(item) for key, item in value.items()}
        return {TAG + "m": [[to_data(key), to_data(item)] for key, item in value.items()]}
    if is_dataclass(value) and kind.__name__ in STORED_CLASSES and STORED_CLASSES[kind.__name__] is kind:
        return {TAG + "c": [kind.__name__, *(to_data(getattr(value, name)) for name in FIELD_NAMES[kind.__name__])]}
    if kind is set or kind is frozenset:
        return {TAG + ("s" if kind is set else "f"): [to_data(item) for item in value]}
    if kind is bytes:
        return {TAG + "b": base64.b64encode(value).decode("ascii")}
    if kind is array:
        return {TAG + "a": [value.typecode, value.tolist()]}
    if kind is dt.datetime:
        return {TAG + "dt": value.isoformat()}
    if kind is dt.date:
        return {TAG + "d": value.isoformat()}
    raise TypeError(f"the build cache cannot store a {kind.__name__}")


def tagged(data: dict[str, Any]) -> Any:
    """json.loads' hook: a tagged object to its value; a plain one as it is."""
    if len(data) != 1:
        return data
    [(key, payload)] = data.items()
    if not key.startswith(TAG):
        return data
    tag = key[1:]
    if tag == "t":
        return tuple(payload)
    if tag == "m":
        return {freeze(key): item for key, item in payload}
    if tag == "c":
        return instance(payload)
    if tag == "s":
        return set(map(freeze, payload))
    if tag == "f":
        return frozenset(map(freeze, payload))
    if tag == "b":
        return base64.b64decode(payload, validate=True)
    if tag == "a":
        return array(payload[0], payload[1])
    if tag == "dt":
        return dt.datetime.fromisoformat(payload)
    if tag == "d":
        return dt.date.fromisoformat(payload)
    raise StoredDataError(f"unknown tag {tag!r}")


def freeze(key: Any) -> Any:
    """A decoded key as it was stored: keys are hashable, so a list here is
    malformed input."""
    if isinstance(key, (list, dict)):
        raise StoredDataError("a key that cannot be one")
    return key


def instance(payload: list) -> Any:
    """One of ``STORED_CLASSES`` from its field values, set as unpickling
    sets them (no constructor runs)."""
    name, *values = payload
    names = FIELD_NAMES.get(name) if isinstance(name, str) else None
    if names is None or len(values) != len(names):
        raise StoredDataError(f"not a stored class: {str(name)[:40]!r}")
    made: Any = object.__new__(STORED_CLASSES[name])
    for field_name, value in zip(names, values, strict=True):
        object.__setattr__(made, field_name, value)
    return made


def dumps(value: Any) -> bytes:
    # surrogatepass: a file name that is not UTF-8 is text with lone
    # surrogates; json.loads reads them back the same way.
    return json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def loads(data: bytes) -> Any:
    try:
        return json.loads(data, object_hook=tagged)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as error:
        raise StoredDataError(str(error)[:200]) from None


def read_stored(path: Path) -> Any:
    """A stored value, or None when the file is missing, a link, or not
    what ``write_stored`` writes."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as reader:
            return loads(reader.read())
    except (OSError, StoredDataError):
        return None


def write_stored(path: Path, value: Any) -> None:
    """Atomically, readable by its owner only (drafts are in the cache)."""
    data = dumps(value)
    temporary = path.with_name(path.name + ".tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(handle, "wb") as writer:
        writer.write(data)
    os.replace(temporary, path)
