#!/usr/bin/env bash
# The JSON Schemas are installed to share/ringside/json-schema, by `cmake --install` and by
# `ringside install`, identical to docs/json-schema, and the installed set validates a document.
set -euo pipefail
: "${RINGSIDE:?}" "${RINGSIDE_BUILD_DIR:?}" "${RINGSIDE_SOURCE_DIR:?}"
python3 -c 'import jsonschema, referencing' 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh installs it)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$RINGSIDE_BUILD_DIR" --prefix "$work/cmake" > /dev/null
"$RINGSIDE" install --prefix "$work/ours" > /dev/null
for root in "$work/cmake" "$work/ours"; do
  diff -r "$RINGSIDE_SOURCE_DIR/docs/json-schema" "$root/share/ringside/json-schema" \
    || { echo "FAIL: $root/share/ringside/json-schema differs from docs/json-schema"; exit 1; }
done
"$work/ours/sbin/ringside" ring --json --only hlt \
  | python3 "$RINGSIDE_SOURCE_DIR/tests/e2e/packaging/json_validate.py" "$work/ours/share/ringside/json-schema" ring -
echo "ok: $(ls "$work/ours/share/ringside/json-schema" | wc -l) schemas installed"
