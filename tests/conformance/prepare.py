"""Builds what the conformance run reads, from Conomy's OpenAPI file left untouched:

* `<out>/payment-api.yaml`: a copy with the file's one-line fix (`wompi-wapper` gets
  `required: [wompi]`), cut to the operations in scope (the merchant API of contract §2 and the
  checkout calls), with the `spec` edits of deviations.yaml and OpenAPI links for the stateful
  phase (link -> session -> payment -> payments list);
* `<out>/schemathesis.toml`: the `checks` of deviations.yaml, and the hooks module;
* `<out>/excluded-checks`: the checks deviations.yaml turns off, for `--exclude-checks`.

Usage: prepare.py SOURCE_YAML OUT_DIR
"""

import copy
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

# The one-line fix: every payment node matched both `wompi-wapper` (no required property) and
# its own rail's wrapper, so `oneOf` rejected every valid node (contract §8, known defects).
WOMPI_LINE = "    wompi-wapper: &ref_0\n"
WOMPI_FIX = "      required: [wompi]\n"

# In scope: contract §2's merchant API and the checkout calls (path -> methods).
SCOPE = {
    "/auth": ["post"],
    "/payment-links": ["get", "post"],
    "/payment-links/{id}": ["get", "delete"],
    "/payment-links/{id}/activate": ["post"],
    "/payment-links/token/{checkout-token}/checkout-sessions": ["post"],
    "/checkout-sessions": ["get", "post"],
    "/checkout-sessions/{checkout_session_id}": ["get", "delete"],
    "/checkout-sessions/{checkout_session_id}/payments": ["post"],
    "/checkout-sessions/token/{checkout-token}/refresh": ["post"],
    "/payments": ["get"],
    "/payments/banks/{country}": ["get"],
}
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}

# Stateful links, by (operationId, status) -> {name: (target operationId, parameters)}.
# A link answer's id opens, reads, activates and deletes it; a session answer's id is read,
# paid, deleted and has its payments listed; a payment's session has its payments listed.
SESSION_LINKS = {
    "GetSession": ("get-checkout-session", {"checkout_session_id": "$response.body#/id"}),
    "PayInSession": ("create-checkout-session-payment", {"checkout_session_id": "$response.body#/id"}),
    "ListPaymentsOfSession": ("get-payments", {"checkoutSessionId": "$response.body#/id"}),
    "DeleteSession": ("delete-checkout-session", {"checkout_session_id": "$response.body#/id"}),
}
LISTED_LINK = "$response.body#/results/0"
LINKS = {
    # Seeded data first: the newest listed link (a demo, or one the run made) and session.
    ("get-payment-links", "200"): {
        "GetListedLink": ("get-payment-link", {"id": f"{LISTED_LINK}/id"}),
        "OpenSessionOfListedLink": ("create-checkout-payment-link", {"checkout-token": f"{LISTED_LINK}/checkoutToken"}),
        "RefreshListedLink": ("refresh-checkout-session", {"checkout-token": f"{LISTED_LINK}/checkoutToken"}),
    },
    ("get-checkout-sessions", "200"): {
        "GetListedSession": ("get-checkout-session", {"checkout_session_id": f"{LISTED_LINK}/id"}),
        "PayInListedSession": ("create-checkout-session-payment", {"checkout_session_id": f"{LISTED_LINK}/id"}),
        "ListPaymentsOfListedSession": ("get-payments", {"checkoutSessionId": f"{LISTED_LINK}/id"}),
    },
    ("create-payment-link", "201"): {
        "GetLink": ("get-payment-link", {"id": "$response.body#/id"}),
        "ActivateLink": ("activate-payment-link", {"id": "$response.body#/id"}),
        "DeleteLink": ("delete-payment-link", {"id": "$response.body#/id"}),
        "OpenSession": ("create-checkout-payment-link", {"checkout-token": "$response.body#/checkoutToken"}),
        "RefreshSession": ("refresh-checkout-session", {"checkout-token": "$response.body#/checkoutToken"}),
    },
    ("create-checkout-payment-link", "201"): SESSION_LINKS,
    ("refresh-checkout-session", "201"): SESSION_LINKS,
    ("create-checkout-session", "201"): SESSION_LINKS,
    ("create-checkout-session-payment", "200"): {
        "ListPayments": ("get-payments", {"checkoutSessionId": "$request.path.checkout_session_id"}),
        "GetPaidSession": ("get-checkout-session", {"checkout_session_id": "$request.path.checkout_session_id"}),
    },
}

ERROR_RESPONSES = {
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
}


def fail(why):
    sys.exit(f"prepare.py: {why}")


def one_line_fix(text):
    if text.count(WOMPI_LINE) != 1:
        fail("the wompi-wapper anchor line is not in the file exactly once; has the file changed?")
    start = text.index(WOMPI_LINE) + len(WOMPI_LINE)
    block = text[start:text.index("\n    account-wrapper:", start)]
    if "required:" in block:
        fail("wompi-wapper already has `required`: the file was fixed upstream, drop the fix")
    return text.replace(WOMPI_LINE, WOMPI_LINE + WOMPI_FIX)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def walk(node, at):
    for key in at:
        if isinstance(key, dict):
            matches = [item for item in node if all(item.get(k) == v for k, v in key.items())]
            if len(matches) != 1:
                fail(f"{key} picks {len(matches)} items at {at}")
            node = matches[0]
        else:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                fail(f"no {key!r} on the way to {at}")
    return node


def deep_merge(target, value):
    for key, item in value.items():
        if isinstance(item, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], item)
        else:
            target[key] = copy.deepcopy(item)


def apply_edit(doc, edit):
    (kind, args), = edit.items()
    if kind == "merge":
        deep_merge(walk(doc, args["at"]), args["value"])
    elif kind == "append":
        target = walk(doc, args["at"])
        if not isinstance(target, list):
            fail(f"not a list at {args['at']}")
        target.append(copy.deepcopy(args["value"]))
    elif kind == "delete":
        node = walk(doc, args["at"])
        if args["key"] not in node:
            fail(f"nothing to delete: {args['key']} at {args['at']}")
        del node[args["key"]]
    elif kind == "parameter":
        found = 0
        for _, _, operation in operations(doc):
            for parameter in operation.get("parameters", []):
                if args.get("only-required") and not parameter.get("required"):
                    continue
                if parameter.get("in") == args["in"] and parameter.get("name") in args["names"]:
                    deep_merge(parameter.setdefault("schema", {}), {k: v for k, v in args["merge"].items() if k != "required"})
                    if "required" in args["merge"]:
                        parameter["required"] = args["merge"]["required"]
                    found += 1
        if not found:
            fail(f"no in-scope parameter {args['names']} in {args['in']}")
    elif kind == "declare-responses":
        responses = doc["components"].setdefault("responses", {})
        for status in args["statuses"]:
            name = ERROR_RESPONSES[status]
            responses.setdefault(name, {
                "description": f"{status} in the contract's error shape (§7).",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
            })
            for _, _, operation in operations(doc):
                operation["responses"].setdefault(str(status), {"$ref": f"#/components/responses/{name}"})
    elif kind == "require-bodies":
        by_id = {operation["operationId"]: operation for _, _, operation in operations(doc)}
        for operation_id in args:
            if "requestBody" not in by_id.get(operation_id, {}):
                fail(f"no request body on {operation_id}")
            by_id[operation_id]["requestBody"]["required"] = True
    elif kind == "rename-operations":
        for _, _, operation in operations(doc):
            operation["operationId"] = args.get(operation["operationId"], operation["operationId"])
    else:
        fail(f"unknown edit {kind}")


def add_links(doc):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(doc)}
    for (source, status), links in LINKS.items():
        response = by_id[source]["responses"][status]
        if "$ref" in response:
            fail(f"{source} {status} is a $ref: links cannot sit beside it")
        for name, (target, parameters) in links.items():
            if target not in by_id:
                fail(f"link {name} targets unknown operation {target}")
            response.setdefault("links", {})[name] = {"operationId": target, "parameters": parameters}


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    fail(f"cannot write {value!r} to TOML")


def schemathesis_toml(deviations):
    lines = [
        "# Written by tests/conformance/prepare.py from deviations.yaml; do not edit.",
        'hooks = "hooks"',
    ]
    operation_lines = []
    for deviation in deviations:
        for check, settings in deviation.get("checks", {}).items():
            if settings == {"enabled": False}:
                continue  # excluded on the command line (see `excluded_checks`)
            lines.append(f"\n# {deviation['id']}: {deviation['ref']}\n[checks.{check}]")
            lines += [f"{key} = {toml_value(value)}" for key, value in settings.items()]
        for operation in deviation.get("operations", []):
            operation_lines.append(f"\n# {deviation['id']}: {deviation['ref']}\n[[operations]]")
            operation_lines.append(f"include-operation-id = {toml_value(operation['operation-id'])}")
            for check, settings in operation["checks"].items():
                operation_lines.append(f"[operations.checks.{check}]")
                operation_lines += [f"{key} = {toml_value(value)}" for key, value in settings.items()]
    return "\n".join(lines + operation_lines) + "\n"


def excluded_checks(deviations):
    """Checks a deviation turns off: `--checks all` on the command line overrides the config's
    `enabled = false`, so the run passes them as `--exclude-checks`."""
    return [check for d in deviations for check, settings in d.get("checks", {}).items() if settings == {"enabled": False}]


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    doc = yaml.safe_load(one_line_fix(source.read_text()))
    doc["paths"] = {path: {m: op for m, op in doc["paths"][path].items() if m in methods or m not in METHODS}
                    for path, methods in SCOPE.items()}
    deviations = yaml.safe_load((HERE / "deviations.yaml").read_text())["deviations"]
    for deviation in deviations:
        for key in ("id", "ref", "why"):
            if not deviation.get(key):
                fail(f"deviation {deviation.get('id', '?')} has no {key}")
        for edit in deviation.get("spec", []):
            apply_edit(doc, edit)
    add_links(doc)
    out.mkdir(parents=True, exist_ok=True)
    (out / "payment-api.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    (out / "schemathesis.toml").write_text(schemathesis_toml(deviations))
    (out / "excluded-checks").write_text(",".join(excluded_checks(deviations)) + "\n")


if __name__ == "__main__":
    main()
