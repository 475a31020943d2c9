"""Second, independent validation of generated bundles with the PyPI package fhir.resources
6.1.0 (pydantic models of FHIR R4 4.0.1; needs pydantic<2), as issue 6 asks for a sample.

    python -m venv venv && venv/bin/pip install "fhir.resources==6.1.0" "pydantic<2"
    tessera generate --patients 20 --out /tmp/net
    venv/bin/python testdata/synth/check_fhir_resources.py /tmp/net/*.json

Builds every Bundle and every entry's resource as its model; prints each distinct error with
a count and exits non-zero when there is any.
"""

import collections
import json
import sys

from fhir.resources import construct_fhir_element


def main(paths):
    errors = collections.Counter()
    checked = 0
    for path in paths:
        with open(path, encoding="utf-8") as file:
            bundle = json.load(file)
        try:
            construct_fhir_element("Bundle", bundle)
        except Exception as error:  # the models raise pydantic ValidationError and others
            errors[f"{path}: Bundle: {str(error)[:300]}"] += 1
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            checked += 1
            try:
                construct_fhir_element(resource["resourceType"], resource)
            except Exception as error:
                message = str(error).replace("\n", " | ")[:300]
                errors[f"{resource['resourceType']}: {message}"] += 1
    print(f"{checked} resources in {len(paths)} files checked with fhir.resources")
    for problem, count in errors.most_common(50):
        print(count, problem)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
