"""The 422 translator gives FastAPI/pydantic v2 error items."""

from mockserver.edge.fastapi_errors import translate
from mockserver.schemas import request_validator

PROFILE = {
    "type": "object", "required": ["company_name"],
    "properties": {
        "company_name": {"type": "string", "minLength": 1, "maxLength": 5},
        "country_code": {"type": "string", "pattern": "^[A-Z]{2}$", "nullable": True},
        "tax_exempt": {"type": "boolean"},
        "preferred_language": {"type": "string", "enum": ["en", "nl", "de"]},
        "contact_email": {"type": "string", "format": "email", "nullable": True},
        "page": {"type": "integer", "minimum": 1, "maximum": 100},
    },
}


def errors(body, schema=PROFILE, prefix=("body",), raw=None):
    return translate(request_validator(schema).iter_errors(body), list(prefix), raw=raw)


def test_missing_field():
    assert errors({}) == [{"type": "missing", "loc": ["body", "company_name"],
                           "msg": "Field required", "input": {}}]


def test_body_that_is_not_an_object():
    [error] = errors([1, 2])
    assert error["type"] == "model_attributes_type" and error["loc"] == ["body"]
    assert error["msg"] == "Input should be a valid dictionary or object to extract fields from"


def test_string_length_pattern_enum_and_type_messages():
    found = {tuple(e["loc"]): e for e in errors({
        "company_name": "toolongname", "country_code": "nl", "tax_exempt": "yes",
        "preferred_language": "xx", "contact_email": "nobody",
    })}
    assert found[("body", "company_name")] == {
        "type": "string_too_long", "loc": ["body", "company_name"],
        "msg": "String should have at most 5 characters", "input": "toolongname",
        "ctx": {"max_length": 5}}
    assert found[("body", "country_code")]["type"] == "string_pattern_mismatch"
    assert found[("body", "country_code")]["msg"] == "String should match pattern '^[A-Z]{2}$'"
    assert found[("body", "tax_exempt")]["type"] == "bool_type"
    assert found[("body", "preferred_language")] == {
        "type": "enum", "loc": ["body", "preferred_language"],
        "msg": "Input should be 'en', 'nl' or 'de'", "input": "xx",
        "ctx": {"expected": "'en', 'nl' or 'de'"}}
    assert found[("body", "contact_email")]["type"] == "value_error"
    assert found[("body", "contact_email")]["msg"].startswith(
        "value is not a valid email address: ")


def test_singular_character_and_short_strings():
    [error] = errors({"company_name": ""})
    assert error["msg"] == "String should have at least 1 character"
    assert error["ctx"] == {"min_length": 1}


def test_null_for_a_non_nullable_string_is_a_type_error_and_nullable_is_fine():
    assert errors({"company_name": None})[0]["type"] == "string_type"
    assert errors({"company_name": "A", "country_code": None}) == []


def test_one_error_per_location():
    assert len(errors({"company_name": 5})) == 1


def test_query_parameters_report_the_text_as_sent():
    schema = PROFILE["properties"]["page"]
    assert errors("abc", schema, ("query", "page"), raw="abc") == [{
        "type": "int_parsing", "loc": ["query", "page"],
        "msg": "Input should be a valid integer, unable to parse string as an integer",
        "input": "abc"}]
    assert errors(0, schema, ("query", "page"), raw="0") == [{
        "type": "greater_than_equal", "loc": ["query", "page"],
        "msg": "Input should be greater than or equal to 1", "input": "0", "ctx": {"ge": 1}}]
    assert errors(101, schema, ("query", "page"), raw="101")[0]["ctx"] == {"le": 100}


UNION = {
    "oneOf": [
        {"type": "object", "required": ["provider_slug", "method_type"], "properties": {
            "provider_slug": {"type": "string", "enum": ["stripe"]},
            "method_type": {"type": "string", "enum": ["card", "sepa_debit"]}}},
        {"type": "object", "required": ["provider_slug", "method_type"], "properties": {
            "provider_slug": {"type": "string", "enum": ["crypto"]},
            "method_type": {"type": "string", "enum": ["crypto"]}}},
    ],
    "discriminator": {"propertyName": "provider_slug"},
}


def test_discriminated_union_like_pydantic():
    [missing] = errors({"method_type": "card"}, UNION)
    assert missing["type"] == "union_tag_not_found"
    assert missing["msg"] == "Unable to extract tag using discriminator 'provider_slug'"
    [invalid] = errors({"provider_slug": "paypal"}, UNION)
    assert invalid["type"] == "union_tag_invalid"
    assert invalid["msg"] == ("Input tag 'paypal' found using 'provider_slug' does not match any "
                              "of the expected tags: 'stripe', 'crypto'")
    [branch] = errors({"provider_slug": "stripe", "method_type": "ideal"}, UNION)
    assert branch["loc"] == ["body", "stripe", "method_type"] and branch["type"] == "enum"
    assert errors({"provider_slug": "stripe", "method_type": "card"}, UNION) == []


def test_compiled_validators_are_kept_per_schema_object_and_bounded(monkeypatch):
    from mockserver.compat import IdentityMemo

    schema = {"type": "integer", "minimum": 1}
    assert request_validator(schema) is request_validator(schema)
    twin = dict(schema)  # equal, but another object: compiled on its own
    assert request_validator(twin) is not request_validator(schema)
    assert list(request_validator(twin).iter_errors(0))

    memo = IdentityMemo(lambda found: object(), max_entries=3)
    kept = [{"type": "string", "maxLength": n} for n in range(10)]
    made = [memo(one) for one in kept]
    assert len(memo) == 3
    assert memo(kept[-1]) is made[-1] and memo(kept[0]) is not made[0]
