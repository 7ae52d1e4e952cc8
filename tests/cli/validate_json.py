#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""validate_json.py [--def NAME] [--lines] SCHEMA DOCUMENT...

Exit 0 if every DOCUMENT is valid against SCHEMA (or against its $defs/NAME),
1 with every error otherwise. --lines: each DOCUMENT holds one JSON value per
line (NDJSON: audit -j, stderr diagnostics, the daemon log, traces; gzip by
.gz); an empty file is an error. '-' reads stdin. The validator follows the
schema's $schema (draft 7 or 2020-12). Uses Debian's python3-jsonschema.
"""
import argparse
import gzip
import json
import sys

import jsonschema
from jsonschema.validators import validator_for

ap = argparse.ArgumentParser()
ap.add_argument("--def", dest="name")
ap.add_argument("--lines", action="store_true")
ap.add_argument("schema")
ap.add_argument("documents", nargs="+")
args = ap.parse_args()

schema = json.load(open(args.schema))
cls = validator_for(schema)
cls.check_schema(schema)
if args.name:
    if args.name not in schema.get("$defs", {}):
        sys.exit(f"{args.schema}: no $defs/{args.name}")
    target = dict(schema, **{"$ref": f"#/$defs/{args.name}"})
    for k in ("anyOf", "oneOf", "allOf", "type", "properties", "required", "additionalProperties"):
        target.pop(k, None)
else:
    target = schema
validator = cls(target)


def read(path):
    if path == "-":
        return sys.stdin.read()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read()


total = 0
for path in args.documents:
    text = read(path)
    if args.lines:
        docs = [(f"{path}:{i}", line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        if not docs:
            print(f"{path}: no JSON lines")
            total += 1
            continue
    else:
        docs = [(path, text)]
    errors = 0
    for where, doc in docs:
        try:
            value = json.loads(doc)
        except json.JSONDecodeError as e:
            print(f"{where}: not JSON: {e}")
            errors += 1
            continue
        for e in validator.iter_errors(value):
            # oneOf/anyOf failures: name the closest branch's errors too
            print(f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
            for sub in sorted(e.context or [], key=lambda s: len(list(s.absolute_path)), reverse=True)[:3]:
                print(f"{where}:   {'/'.join(map(str, sub.absolute_path))}: {sub.message[:200]}")
            errors += 1
    print(f"{path}: {'valid' if not errors else f'{errors} error(s)'}" + (f" ({len(docs)} lines)" if args.lines else ""))
    total += errors
sys.exit(1 if total else 0)
