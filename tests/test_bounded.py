"""The bounded LRU every cache uses: at most N entries and B bytes, least recently used out."""

from mockserver.bounded import BoundedLRU


def test_it_keeps_at_most_its_count_and_its_bytes():
    lru = BoundedLRU(3, 10, len)
    for key in "abc":
        lru.put(key, b"xx")
    lru.get("a")  # now the most recent
    lru.put("d", b"xx")  # evicts b by count
    assert lru.get("b") is None and len(lru) == 3
    lru.put("e", b"xxxxxx")  # 12 bytes > 10: evicts c, then a
    assert lru.bytes <= 10 and lru.get("c") is None and lru.get("e") == b"xxxxxx"


def test_a_value_heavier_than_the_bound_is_answered_not_kept():
    lru = BoundedLRU(3, 4, len)
    assert lru.put("big", b"12345") == b"12345" and len(lru) == 0 and lru.bytes == 0


def test_the_first_kept_value_wins_and_discard_frees_bytes():
    lru = BoundedLRU(4, 100, len)
    assert lru.put("k", b"one") == b"one" and lru.put("k", b"two") == b"one"
    made = []
    assert lru.get_or_make("m", lambda: made.append(1) or b"made") == b"made"
    assert lru.get_or_make("m", lambda: made.append(1) or b"again") == b"made" and made == [1]
    lru.discard(lambda key: key == "m")
    assert len(lru) == 1 and lru.bytes == 4 and (lru.hits, lru.misses) == (1, 1)
