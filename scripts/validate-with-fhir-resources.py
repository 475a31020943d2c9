#!/usr/bin/env python3
"""Validate FHIR R4 resources with an independent validator.

Usage: validate-with-fhir-resources.py FILE...   (Bundles or single resources, JSON)

Each resource (every Bundle entry's resource, and the Bundle itself) is parsed with the
`fhir.resources` 6.1.0 models (FHIR 4.0.1, pydantic 1), which check element names,
cardinality, primitive formats and choice types independently of Tessera's own validator.
Prints one line per invalid resource and a summary; exits 1 if any is invalid.
"""
import json
import sys

from fhir.resources import construct_fhir_element


def main(paths):
    checked = 0
    invalid = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        resources = [document]
        if document.get("resourceType") == "Bundle":
            resources += [e["resource"] for e in document.get("entry", []) if "resource" in e]
        for resource in resources:
            checked += 1
            try:
                construct_fhir_element(resource["resourceType"], resource)
            except Exception as error:  # the validator's own error types vary
                invalid += 1
                first = str(error).splitlines()[:6]
                print(f"{path}: {resource.get('resourceType')}/{resource.get('id')}: {' '.join(first)}")
    print(f"fhir.resources: {checked} resources checked, {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
