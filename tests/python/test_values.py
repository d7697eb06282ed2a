"""Every value kind across the boundary, both ways (SPEC section 2)."""
import math
import sqlite3

import pytest

from conftest import one


# ---- SQL -> Joy: the Joy type a value arrives as ----

@pytest.mark.parametrize("sql_value, joy_type", [
    ("42", "integer"),
    ("-9223372036854775808", "integer"),
    ("2.5", "float"),
    ("'abc'", "string"),
    ("''", "string"),
    ("NULL", "nil"),
    ("x'616263'", "string"),
    ("json('[1,2]')", "list"),
    ("json_array(1, 'a')", "list"),
    ("json('{\"a\":1}')", "dict"),
    ("json_object('a', 1)", "dict"),
    ("json('3')", "integer"),
    ("json('3.0')", "float"),
    ("json('\"s\"')", "string"),
    ("json('true')", "boolean"),
    ("json('null')", "nil"),
    ("'[1,2]'", "string"),  # plain TEXT stays a string
])
def test_sql_arrives_as(db, sql_value, joy_type):
    got = one(db, f"SELECT type FROM joy_stack('', {sql_value})")
    assert got == joy_type


def test_sql_values_keep_their_content(db):
    assert one(db, "SELECT joy_eval('1 +', 41)") == 42
    assert one(db, "SELECT joy_eval('2.0 *', 1.25)") == 2.5
    assert one(db, "SELECT joy_eval('size', 'hello')") == 5
    assert one(db, "SELECT joy_eval('nil?', NULL)") == 1
    assert one(db, "SELECT joy_eval('size', x'00ff10')") == 3
    assert one(db, "SELECT joy_eval('', json('{\"a\":[1,2.5,null,true]}'))") == "{a: [1 2.5 nil true]}"
    assert one(db, "SELECT joy_eval('\"a\" dget', json_object('a', 7))") == 7
    assert one(db, "SELECT joy_eval('[1 +] map', json_array(1, 2, 3))") == "[2 3 4]"
    assert one(db, "SELECT joy_eval('', 'caf\u00e9')") == "caf\u00e9"


def test_blob_bytes_become_a_string(db):
    assert one(db, "SELECT joy_eval('', x'414243')") == "ABC"
    assert one(db, "SELECT joy_eval('first ord', x'ff')") == 255


def test_invalid_json_subtype_argument_is_an_error(db):
    # json() rejects bad text itself; the subtype only comes from valid JSON,
    # so check that large/nested JSON works instead.
    nested = "[" * 1000 + "]" * 1000
    assert one(db, "SELECT joy_eval('size', json(?))", nested) == 1


# ---- Joy -> SQL: joy_eval's result ----

@pytest.mark.parametrize("program, value", [
    ("42", 42),
    ("-1", -1),
    ("2.5", 2.5),
    ("\"abc\"", "abc"),
    ("\"\"", ""),
    ("nil", None),
    ("true", 1),
    ("false", 0),
    ("'a", "a"),
    ("[1 2 3]", "[1 2 3]"),
    ("[]", "[]"),
    ("[1 [2 \"x\"] 'c 1.5]", "[1 [2 \"x\"] 'c 1.5]"),
    ("{1 2 3}", "{1 2 3}"),
    ("{}", "{}"),
    ("{a: 1, b: \"x\"}", "{a: 1, b: \"x\"}"),
    ("[dup *]", "[dup *]"),
    ("maxint", 9223372036854775807),
])
def test_eval_result(db, program, value):
    assert one(db, "SELECT joy_eval(?)", program) == value


def test_result_sql_types(db):
    row = db.execute("SELECT typeof(joy_eval('1')), typeof(joy_eval('1.0')), typeof(joy_eval('\"s\"')),"
                     " typeof(joy_eval('nil')), typeof(joy_eval('true')), typeof(joy_eval('''a')),"
                     " typeof(joy_eval('[1]'))").fetchone()
    assert row == ("integer", "real", "text", "null", "integer", "text", "text")


def test_infinite_float_is_real(db):
    assert one(db, "SELECT joy_eval('1.0e308 10.0 *')") == math.inf


# ---- Joy -> JSON: joy_json's result ----

@pytest.mark.parametrize("program, text", [
    ("42", "42"),
    ("1.0", "1.0"),
    ("\"a\\\"b\"", "\"a\\\"b\""),
    ("nil", "null"),
    ("true", "true"),
    ("'a", "\"a\""),
    ("[1 [2] []]", "[1,[2],[]]"),
    ("{a: [1 2], b: {c: nil}}", "{\"a\":[1,2],\"b\":{\"c\":null}}"),
])
def test_json_result(db, program, text):
    assert one(db, "SELECT joy_json(?)", program) == text


def test_json_round_trip_through_sql(db):
    doc = '{"name":"Alice","age":30,"tags":["a","b"],"score":1.5,"ok":true,"none":null}'
    assert one(db, "SELECT joy_json('', json(?))", doc) == doc
    assert one(db, "SELECT joy_json('\"age\" dget 1 +', json(?))", doc) == "31"
    assert one(db, "SELECT joy_json('\"age\" 31 dput', json(?)) ->> '$.age'", doc) == 31


def test_json_result_feeds_json_functions(db):
    assert one(db, "SELECT json_type(joy_json('[1 2]'))") == "array"
    assert one(db, "SELECT joy_json('{a: 1}') -> '$.a'") == "1"
    assert one(db, "SELECT joy_json('[1 2 3]') ->> '$[#-1]'") == 3
    assert one(db, "SELECT joy_eval('size', joy_json('[1 2 3]'))") == 3


def test_json_subtype_survives_into_joy_each(db):
    rows = db.execute("SELECT value FROM joy_each(joy_json('[1 2]'))").fetchall()
    assert rows == [(1,), (2,)]
