"""The catalogs' JSON Schemas match the entry models and accept exactly the stored catalogs."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from ipindicators.catalog.schema import CATALOGS, catalog_schema, schema_path, schema_text
from ipindicators.paths import CATALOG_DIR


@pytest.mark.parametrize("name", CATALOGS)
def test_stored_schema_is_generated_from_the_model(name):
    stored = schema_path(name).read_text(encoding="utf-8")
    assert stored == schema_text(name), "run `python -m ipindicators.catalog.schema`"


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_file_names_its_schema_and_validates_against_it(name):
    text = (CATALOG_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=schemas/{name}.schema.json"
    jsonschema.validate(yaml.safe_load(text), json.loads(schema_path(name).read_text("utf-8")))


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"colour": "red"}, "Additional properties"),
        ({"value": "36"}, "is not valid under any of the given schemas"),
        ({"comparator": "=>"}, "is not one of"),
        ({"unit": "furlongs"}, "is not one of"),
        ({"quote": " "}, "does not match"),
    ],
)
def test_schema_refuses_what_the_loader_refuses(entry, fragment):
    good = {
        "id": "t1",
        "region": "hangzhou",
        "indicator": "invention_patents_per_10k",
        "comparator": ">=",
        "value": 36,
        "unit": "件/万人",
        "year": 2020,
        "basis": "level",
        "document": "000_80cd1bba055f4166.txt",
        "quote": "万人有效发明专利拥有量达36件",
    }
    schema = catalog_schema("targets")
    jsonschema.validate([good], schema)
    with pytest.raises(jsonschema.ValidationError, match=fragment):
        jsonschema.validate([{**good, **entry}], schema)
