"""The billing profile: what an update changes, and what None means."""

from datetime import datetime, timezone

from mockserver.domain.profile import NEVER_NULL, new_profile

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_none_for_a_field_that_always_has_a_value_is_not_given():
    profile = new_profile("tnt_1", {"company_name": "A", "is_business": None,
                                    "tax_exempt": None, "preferred_language": None}, NOW)
    assert (profile.is_business, profile.tax_exempt, profile.preferred_language) == (
        True, False, "en")  # a new profile's starting values
    profile.apply({"is_business": False, "preferred_language": "de"}, NOW)
    changed = profile.apply({name: None for name in NEVER_NULL} | {"city": None}, NOW)
    assert (profile.is_business, profile.preferred_language) == (False, "de")
    assert changed == []  # city was None already; the others are kept


def test_none_clears_a_field_that_may_be_empty():
    profile = new_profile("tnt_1", {"company_name": "A", "city": "Utrecht"}, NOW)
    assert profile.apply({"city": None}, NOW) == ["city"] and profile.city is None
