"""Page signatures: what a page shows, hashed so an unchanged page is not
rendered again and a changed one always is."""

from __future__ import annotations

from dataclasses import dataclass

from archivist.render.signatures import digest


@dataclass
class Shown:
    """A value of no kind the digest knows: hashed field by field."""

    text: str


def test_values_made_for_one_digest_do_not_lend_their_id_to_the_next():
    # Each value, and the dict of its fields, lives only while it is hashed;
    # the memo is by id, and an id freed is soon given to the next object.
    memo: dict = {}
    digests = [digest(Shown(f"第{n}段"), memo) for n in range(200)]
    assert len(set(digests)) == 200


def test_the_same_value_has_the_same_digest_with_any_memo():
    shown = [Shown("甲"), {"b": Shown("乙"), "a": (1, None)}]
    assert digest(shown, {}) == digest(shown, {}) == digest([Shown("甲"), {"a": (1, None), "b": Shown("乙")}], {})
    assert digest(shown, {}) != digest([Shown("丙"), {"b": Shown("乙"), "a": (1, None)}], {})
