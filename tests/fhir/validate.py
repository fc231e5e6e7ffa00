"""Validates FHIR R4 JSON files with an independent implementation: the `fhir.resources` 6.4.0
typed R4 model (pydantic; required elements, types, value sets of codes, id and date patterns,
no unknown fields), plus the R4 invariants it does not enforce and clinicflow relies on:
app-2/app-3 (a booked Appointment has both start and end), bdl-7 (fullUrls unique) and, for
Bundles clinicflow writes, every Patient/Practitioner/Location/Encounter reference resolving to
an entry. Prints one line per problem; exits 1 if there is any.

Usage: python validate.py [--references] FILE...
"""
import json
import sys

from fhir.resources import construct_fhir_element


def resources(bundle):
    for index, entry in enumerate(bundle.get("entry", []), start=1):
        yield index, entry, entry.get("resource", {})


def invariants(path, data, check_references):
    problems = []
    if data.get("resourceType") != "Bundle":
        return problems
    full_urls = [entry.get("fullUrl") for _, entry, _ in resources(data) if entry.get("fullUrl")]
    if len(full_urls) != len(set(full_urls)):
        problems.append(f"{path}: bdl-7: fullUrls are not unique")
    present = set()
    for index, entry, resource in resources(data):
        kind = resource.get("resourceType")
        present.add(f"{kind}/{resource.get('id')}")
        if kind == "Appointment":
            has_start, has_end = "start" in resource, "end" in resource
            if has_start != has_end:
                problems.append(f"{path}: entry {index}: app-2: start and end go together")
            if not has_start and resource.get("status") not in ("proposed", "cancelled", "waitlist"):
                problems.append(f"{path}: entry {index}: app-3: a {resource.get('status')} appointment needs start and end")
        if check_references and not entry.get("fullUrl", "").startswith(("http://", "https://")):
            problems.append(f"{path}: entry {index}: fullUrl is not absolute")
    if check_references:
        for index, entry, resource in resources(data):
            for reference in references(resource):
                kind = reference.split("/")[0]
                if kind in ("Patient", "Practitioner", "Location", "Encounter") and reference not in present:
                    problems.append(f"{path}: entry {index}: {reference} is not in the Bundle")
    return problems


def references(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def main(arguments):
    check_references = "--references" in arguments
    files = [a for a in arguments if a != "--references"]
    problems = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        try:
            construct_fhir_element(data["resourceType"], data)
        except Exception as error:  # pydantic's ValidationError lists every problem
            problems.append(f"{path}: {error}")
        problems.extend(invariants(path, data, check_references))
    for problem in problems:
        print(problem)
    print(f"{len(files)} file(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
