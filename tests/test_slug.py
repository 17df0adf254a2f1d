from archivist.text.slug import clean_slug, deduplicate, make_slug


def test_slug_is_date_and_pinyin_of_first_words():
    assert make_slug("玉林:葵峰山上党旗扬", "2019-08-12T09:37:55") == "2019-08-12-yulin-kuifengshanshang"


def test_slug_is_ascii_and_stable():
    title = "“海边山党旗红” 固边富民筑堡垒"
    assert make_slug(title, None) == make_slug(title, None)
    assert make_slug(title, None).isascii()


def test_slug_of_hostile_value_stays_one_segment():
    for value in ("../../etc/passwd", "/abs/path", "C:\\Windows\\x", "CON", "a/b"):
        slug = clean_slug(value)
        assert "/" not in slug and "\\" not in slug and ".." not in slug and ":" not in slug
        assert slug.lower() not in {"con", "nul", "prn", "aux"}


def test_collisions_are_numbered_in_order():
    assert deduplicate(["a", "b", "a", "a"]) == ["a", "b", "a-2", "a-3"]
