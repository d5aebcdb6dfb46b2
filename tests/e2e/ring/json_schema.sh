#!/usr/bin/env bash
# `ringside ring --json` validates against docs/json-schema/ring.json (python3-jsonschema),
# and the schema is strict enough to reject a document that breaks the contract.
set -euo pipefail
[[ $(uname -m) == x86_64 ]] || exit 77
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema missing (scripts/setup.sh installs it)"; exit 77; }
schema=${RINGSIDE_SOURCE_DIR:?}/docs/json-schema/ring.json
"$RINGSIDE" ring --json | python3 -c '
import json, sys, copy, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
document = json.load(sys.stdin)
errors = list(validator.iter_errors(document))
for error in errors:
    print("schema:", error.json_path, error.message)
if errors:
    sys.exit(1)
# A size-as-string or a missing field must not pass.
broken = copy.deepcopy(document)
broken["current_privilege_level"] = "3"
assert not validator.is_valid(broken), "a string privilege level passed"
broken = copy.deepcopy(document)
del broken["probes"][0]["reason"]
assert not validator.is_valid(broken), "a probe without a reason passed"
print("ring --json valid against", sys.argv[1], "with", len(document["probes"]), "probes")
' "$schema"
