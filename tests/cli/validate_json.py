#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""validate_json.py SCHEMA DOCUMENT: exit 0 if DOCUMENT is valid, 1 with every error otherwise.
Uses Debian's python3-jsonschema (tools/install-deps)."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors:
    print(f"{sys.argv[2]}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
print(f"{sys.argv[2]}: {'valid' if not errors else f'{len(errors)} error(s)'}")
sys.exit(1 if errors else 0)
