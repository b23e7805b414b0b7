"""Each adjustment in app/fab_patches.py leans on a Flask-AppBuilder internal. These tests fail
when FAB changes under a patch (a new FAB version), so the patch is reviewed, not silently
lost or misapplied."""
from __future__ import annotations

import inspect

import flask_appbuilder
import pytest
from flask_appbuilder import api as fab_api
from flask_appbuilder.api.schemas import get_list_schema
from flask_appbuilder.models.filters import Filters
from sqlalchemy.orm import aliased as sqlalchemy_aliased

from app import fab_patches

RISON_SOURCE = inspect.getsource(fab_api.rison)


def test_the_pinned_fab_is_the_one_the_patches_were_written_for():
    pinned = next(line.split("==")[1].strip() for line in open("requirements.txt", encoding="utf-8")
                  if line.lower().startswith("flask-appbuilder=="))
    assert flask_appbuilder.__version__ == pinned


@pytest.mark.parametrize("call", ["jsonschema.validate(", "prison.loads(", "urllib.parse.parse_qs("])
def test_rison_still_calls_the_module_functions_the_patches_replace(call):
    # The patches swap the names ``jsonschema``, ``prison`` and ``urllib`` inside flask_appbuilder.api.
    assert call in RISON_SOURCE


def test_rison_still_turns_parser_exceptions_into_400():
    assert "ParserException" in RISON_SOURCE and "400" in RISON_SOURCE


def test_operation_helper_still_takes_the_arguments_the_wrapper_passes():
    parameters = inspect.signature(fab_api.BaseApi.operation_helper).parameters
    assert {"path", "operations", "methods", "func"} <= set(parameters)


def test_the_list_schema_still_has_an_integer_page():
    assert get_list_schema["properties"]["page"]["type"] == "integer"


def test_filters_still_convert_columns_in_get_filters():
    assert "_get_filters" in inspect.getsource(Filters.__init__)
    assert list(inspect.signature(Filters._get_filters).parameters) == ["self", "cols"]


def test_the_patches_are_in_place_after_start_up(app):
    assert isinstance(fab_api.jsonschema, fab_patches._CachedJsonSchema)
    assert isinstance(fab_api.prison, fab_patches._StrictPrison)
    assert get_list_schema["properties"]["page"]["minimum"] == 0


def test_malformed_rison_is_a_parser_exception():
    strict = fab_patches._StrictPrison()
    with pytest.raises(strict.decoder.ParserException):
        strict.loads("-2.1e")


def test_query_strings_keep_their_characters():
    assert fab_patches._DecodedQueryString.parse.parse_qs('q={"a":"x&y+z%41"}') == {"q": ['{"a":"x&y+z%41"}']}


def test_cached_schema_validation_raises_the_same_errors():
    schema = {"type": "object", "properties": {"page": {"type": "integer"}}}
    cached = fab_patches._CachedJsonSchema()
    cached.validate({"page": 1}, schema)
    with pytest.raises(cached.ValidationError):
        cached.validate({"page": "one"}, schema)


def test_fab_still_aliases_joined_relations_through_the_module_name_the_patch_replaces(app):
    from flask_appbuilder.models.sqla import interface

    source = inspect.getsource(interface.SQLAInterface)
    assert "aliased(model_relation, name=root_relation)" in source
    assert "aliased(related_model, name=root_relation)" in source
    assert interface.aliased is not sqlalchemy_aliased
    from models import Enterprise

    assert interface.aliased(Enterprise, name="enterprise") is interface.aliased(Enterprise, name="enterprise")
    assert interface.aliased(Enterprise, name="enterprise") is not interface.aliased(Enterprise, name="other")
