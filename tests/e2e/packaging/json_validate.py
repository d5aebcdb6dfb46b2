#!/usr/bin/env python3
"""Validate ringside --json documents against docs/json-schema/<tool>.json.

usage: json_validate.py SCHEMA_DIR TOOL FILE...   ("-" reads standard input)

Every schema in SCHEMA_DIR is checked as a draft 2020-12 schema and registered under its $id,
so that leaks.json can refer to check.json. Each document must be valid; then copies of it,
each broken the way docs/json.md forbids (no schema_version, an unknown field, a size as a
"kB" string, a boolean as "yes", an item missing a key), must be rejected, so that a schema too loose to catch
them fails the test as well.
"""
import copy
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource


def load_registry(schema_dir):
    registry = Registry()
    schemas = {}
    for path in sorted(pathlib.Path(schema_dir).glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
        schemas[path.stem] = schema
    return registry, schemas


def first_array_item(value):
    """The first object inside a non-empty array of objects, depth first, with its path."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list) and child and isinstance(child[0], dict) and child[0]:
                return child[0], key
            found = first_array_item(child)
            if found:
                return found
    elif isinstance(value, list):
        for child in value:
            found = first_array_item(child)
            if found:
                return found
    return None


SIZE_KEYS = ("size", "rss", "pss", "uss", "swap", "bytes", "live_bytes", "Rss", "MemTotal", "first_bytes")


def first_size(value):
    """A container holding an integer size field, and that field's key."""
    if isinstance(value, dict):
        for key in SIZE_KEYS:
            if isinstance(value.get(key), int) and not isinstance(value.get(key), bool):
                return value, key
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = first_size(child)
        if found:
            return found
    return None


def first_boolean(value):
    """A container holding a boolean field, and that field's key."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, bool):
                return value, key
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = first_boolean(child)
        if found:
            return found
    return None


def main():
    schema_dir, tool, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    registry, schemas = load_registry(schema_dir)
    if tool not in schemas:
        print(f"FAIL: no schema {schema_dir}/{tool}.json")
        return 1
    validator = jsonschema.Draft202012Validator(schemas[tool], registry=registry)
    failed = False
    for name in files:
        text = sys.stdin.read() if name == "-" else pathlib.Path(name).read_text()
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            print(f"FAIL {tool} {name}: not JSON: {error}")
            failed = True
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        for error in errors[:20]:
            print(f"FAIL {tool} {name}: {error.json_path}: {error.message[:300]}")
        if errors:
            failed = True
            continue
        broken = []
        doc = copy.deepcopy(document)
        del doc["schema_version"]
        broken.append(("without schema_version", doc))
        doc = copy.deepcopy(document)
        doc["unknown_field"] = 1
        broken.append(("with an unknown top-level field", doc))
        doc = copy.deepcopy(document)
        found = first_array_item(doc)
        if found:
            item, collection = found
            key = next(iter(item))
            del item[key]
            broken.append((f"with a {collection} item missing {key!r}", doc))
        doc = copy.deepcopy(document)
        found = first_boolean(doc)
        if found:
            holder, key = found
            holder[key] = "yes"
            broken.append((f"with {key!r} as \"yes\"", doc))
        doc = copy.deepcopy(document)
        found = first_size(doc)
        if found:
            holder, key = found
            holder[key] = f"{holder[key] // 1024} kB"
            broken.append((f"with {key!r} as a kB string", doc))
        loose = [what for what, doc in broken if validator.is_valid(doc)]
        for what in loose:
            print(f"FAIL {tool} {name}: the schema accepts a document {what}")
        failed = failed or bool(loose)
        if not loose:
            print(f"ok {tool} {name}: valid; rejects {len(broken)} broken copies ({', '.join(w for w, _ in broken)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
