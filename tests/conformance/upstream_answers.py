"""Schemathesis turned around: a fake Conomy answers an upstream-mode gateway's calls with bodies
generated from Conomy's own OpenAPI schemas, and a driver plays the checkout page against the
gateway's `/api`. The bodies come from Schemathesis's own JSON Schema generator (the one that
writes its requests from the same file), so the pinned Schemathesis venv needs nothing more:
hypothesis-jsonschema 0.23.1 reaches into Hypothesis internals that the pinned Hypothesis
6.170.17 no longer has. Every example is one checkout: open, read, list
payments, pay, list banks, each upstream answer drawn from the schema of that call, where

* optional fields are sometimes absent and fields the schema does not name are added (JSON
  Schema allows them; the generator adds some),
* every field nothing reads may be `null` (or anything else): what the gateway does not pass to
  the page (its allow-list, `server/src/allow_list.rs`) and does not use itself is replaced by
  "any JSON value".

Checked for every example:

1. the gateway never answers 5xx to a schema-valid body (an upstream answer it cannot use is
   the gateway's own 4xx or a refusal, never a 502 "Conomy answered unexpectedly");
2. what reaches the browser stays inside the allow-list (the same lists as
   `server/tests/it/privacy.rs`);
3. the page's decoders accept it: every 2xx body is written to OUT/answers.jsonl, which the
   Rust test `server/tests/it/page_decodes.rs` (run next by tests/conformance/run) decodes with
   `checkout_core`'s own `FromJson` decoders, the ones the SPA runs.

Seeded and bounded: UPSTREAM_ANSWERS_SEED, UPSTREAM_ANSWERS_EXAMPLES (default 100, about a
minute on two busy cores).

Usage: upstream_answers.py SOURCE_YAML GATEWAY_BINARY OUT_DIR
"""

import copy
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis.generation.jsonschema.builder import build
from schemathesis.specs.openapi.formats import get_default_format_strategies

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare import one_line_fix  # noqa: E402  (the file's one-line fix, as the other phases use it)

SEED = int(os.environ.get("UPSTREAM_ANSWERS_SEED", "20251206"))
EXAMPLES = int(os.environ.get("UPSTREAM_ANSWERS_EXAMPLES", "100"))
TOKEN = "fuzz-token"
SECRET = "upstream-answers-session-secret-0123456789"

# ---- what is read: the allow-list (as privacy.rs checks it) and the gateway's own reads -------

SCALAR = "scalar"
SCALARS = "scalars"
TAX = {"name": SCALAR, "type": SCALAR, "value": SCALAR, "amount": SCALAR}
ITEM = {"description": SCALAR, "preTaxAmount": SCALAR, "totalAmount": SCALAR, "tax": TAX}
METHOD = {"id": SCALAR, "type": SCALAR, "enabled": SCALAR, "requiredFields": SCALARS, "purchaseAmount": SCALAR}
CONFIG = {"currency": SCALAR, "product": SCALAR, "exchangeRate": SCALAR, "paymentMethods": [METHOD]}
ADDRESS = {k: SCALAR for k in ["administrativeAreaLevel1", "administrativeAreaLevel2", "administrativeAreaLevel3",
                               "street", "streetNumber", "optionalAddress", "country", "zipcode"]}
CUSTOMER = {k: SCALAR for k in ["firstName", "lastName", "email", "phoneNumber", "phoneNumberPrefix",
                                "documentType", "documentNumber"]} | {"address": ADDRESS}
DESTINATION = {"name": SCALAR, "type": SCALAR, "amount": SCALAR,
               "metadata": {"image": SCALAR, "description": SCALAR, "category": SCALAR},
               "account": {"type": SCALAR, "currency": SCALAR}}
OWNER = {"name": SCALAR, "lastname": SCALAR, "nickname": SCALAR, "entityType": SCALAR}
SESSION = {k: SCALAR for k in ["id", "paymentLinkId", "checkoutToken", "status", "createdAt", "expiresAt",
                               "currency", "preTaxAmount", "totalAmount", "url", "redirectUrl"]} | {
    "items": [ITEM], "paymentConfigs": [CONFIG], "paymentMethodsAllowed": SCALARS, "customer": CUSTOMER,
    "customerRequirements": SCALARS, "destinations": [DESTINATION], "owner": OWNER}
# What the gateway adds to a session itself.
SESSION_ADDED = {"successUrl", "failedUrl", "theme", "capability"}
# A payment's origins keep type, currency, amount and the rail node's next-action fields.
NODE_FIELDS = {"url", "expiresAt", "qrCode", "data", "expiredAt", "clabe", "code", "cvu", "bankId", "bank", "bankName"}
ORIGIN = "origin"
PAYMENT = {k: SCALAR for k in ["id", "status", "type", "totalAmount", "currency", "createdAt"]} | {"origins": [ORIGIN]}
# The list's pagination reaches the browser (scalars only) but nothing reads it.
PAGINATION = {"count": SCALAR, "next": SCALAR, "previous": SCALAR, "total": SCALAR}
PAYMENTS = {"pagination": PAGINATION, "results": [PAYMENT]}
BANK = {"code": SCALAR, "name": SCALAR, "countryCode": SCALAR}
# The link: the gateway reads its return URLs and branding (never sent on as they are).
LINK = {"successUrl": SCALAR, "failedUrl": SCALAR, "metadata": {"accentColor": SCALAR, "theme": SCALAR}}

# What the gateway or the page reads of each upstream answer: everything else may be anything.
READ = {"session": SESSION, "payment": PAYMENT, "payments": {"results": [PAYMENT]}, "banks": [BANK], "link": LINK}

def outside(value, shape, where):
    """Members of `value` beyond `shape` (the allow-list), as paths."""
    found = []
    if shape == SCALAR:
        if isinstance(value, (dict, list)):
            found.append(where)
    elif shape == SCALARS:
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            found.append(where)
    elif shape == ORIGIN:
        if not isinstance(value, dict):
            return [where]
        for key, item in value.items():
            if key in ("type", "currency", "amount"):
                found += outside(item, SCALAR, f"{where}.{key}")
            elif isinstance(item, dict):
                found += [f"{where}.{key}.{k}" for k in item if k not in NODE_FIELDS]
            else:
                found.append(f"{where}.{key}")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            return [where]
        for i, item in enumerate(value):
            found += outside(item, shape[0], f"{where}[{i}]")
    elif isinstance(shape, dict):
        if value is None:
            return []
        if not isinstance(value, dict):
            return [where]
        for key, item in value.items():
            if key not in shape:
                found.append(f"{where}.{key}")
            else:
                found += outside(item, shape[key], f"{where}.{key}")
    return found


# ---- schemas -----------------------------------------------------------------------------------

FORMATS = {"date-time", "email", "time"}
DROP = {"example", "examples", "xml", "discriminator", "readOnly", "writeOnly", "deprecated", "externalDocs"}


def to_json_schema(node, components, stack=()):
    """OpenAPI 3.0 schema -> JSON Schema (draft 4, as OpenAPI 3.0's): $refs inlined (a cycle
    becomes "anything"), `nullable` as a null alternative, formats the file misuses dropped."""
    if isinstance(node, list):
        return [to_json_schema(item, components, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in stack:
            return {}
        return to_json_schema(components[name], components, stack + (name,))
    out = {}
    for key, value in node.items():
        if key in DROP or key == "nullable":
            continue
        if key == "format" and value not in FORMATS:
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {k: to_json_schema(v, components, stack) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value, components, stack)
    # Lists of at most three: longer ones test nothing more and cost generation time.
    if out.get("type") == "array" or "items" in out:
        out["maxItems"] = min(out.get("maxItems", 3), 3)
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def unread_is_anything(schema, shape):
    """`schema` with every property outside `shape` replaced by "any JSON value" (so `null`, a
    number where a string was declared, an object...); kept where `shape` reads it."""
    if shape in (SCALAR, SCALARS, ORIGIN) or not isinstance(schema, dict):
        return schema
    schema = copy.deepcopy(schema)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            schema[combinator] = [unread_is_anything(s, shape) for s in schema[combinator]]
    if isinstance(shape, list):
        if isinstance(schema.get("items"), dict):
            schema["items"] = unread_is_anything(schema["items"], shape[0])
        return schema
    properties = schema.get("properties", {})
    for name, sub in list(properties.items()):
        properties[name] = unread_is_anything(sub, shape[name]) if name in shape else {}
    # An unread required field may be absent too: nothing depends on it.
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name in shape]
        if not schema["required"]:
            del schema["required"]
    return schema


def schemas(source):
    doc = yaml.safe_load(one_line_fix(Path(source).read_text()))
    components = doc["components"]["schemas"]

    def answer(path, method, status):
        content = doc["paths"][path][method]["responses"][status]["content"]["application/json"]
        return to_json_schema(content["schema"], components)

    raw = {
        "session": to_json_schema(components["checkout-session"], components),
        "payment": answer("/checkout-sessions/{checkout_session_id}/payments", "post", "200"),
        "payments": answer("/payments", "get", "200"),
        "banks": answer("/payments/banks/{country}", "get", "200"),
        "link": answer("/payment-links/{id}", "get", "200"),
    }
    drawn = {name: unread_is_anything(schema, READ[name]) for name, schema in raw.items()}
    # Sessions with something to pay with, for most examples (still the schema, narrowed).
    offering = copy.deepcopy(drawn["session"])
    offering["properties"]["paymentConfigs"]["minItems"] = 1
    offering["properties"]["paymentConfigs"]["items"]["properties"]["paymentMethods"]["minItems"] = 1
    drawn["offering session"] = offering
    return drawn


# ---- the fake Conomy -------------------------------------------------------------------------

class Fake:
    """What the fake answers now: one body per call, set by the driver for each example."""

    def __init__(self):
        self.bodies = {}
        self.lock = threading.Lock()
        self.calls = []

    def set(self, **bodies):
        with self.lock:
            self.bodies = bodies
            self.calls = []

    def answer(self, method, path, query):
        with self.lock:
            self.calls.append(f"{method} {path}")
            b = self.bodies
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["auth"]:
            return 200, {"accessToken": "fake-access-token", "tokenType": "Bearer", "expiresIn": 3600}
        if method == "POST" and (parts[:2] == ["payment-links", "token"] or parts[-1] == "refresh"):
            return 201, b["session"]
        if method == "GET" and parts[0] == "checkout-sessions" and len(parts) == 2:
            return 200, b["session"]
        if method == "POST" and parts[0] == "checkout-sessions" and parts[-1] == "payments":
            return 200, b["payment"]
        if method == "GET" and parts == ["payments"]:
            # The gateway's look before handing a session out: nobody has paid on it yet, so the
            # example goes on to the reads. Every other list is the drawn one.
            if "limit=1" in query.split("&"):
                return 200, {"pagination": {"count": 0, "next": 0, "previous": 0, "total": 0}, "results": []}
            return 200, b["payments"]
        if method == "GET" and parts[:2] == ["payments", "banks"]:
            return 200, b["banks"]
        if method == "GET" and parts[0] == "payment-links":
            return 200, b["link"]
        return 404, {"status": 404, "type": "notFound", "detail": "no such call", "traceId": "fake"}


def serve_fake(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_call(self):
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            url = urllib.parse.urlsplit(self.path)
            status, body = fake.answer(self.command, url.path, url.query)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = handle_call

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_gateway(binary, fake_port, out):
    env = dict(os.environ,
               CONOMY_API_BASE=f"http://127.0.0.1:{fake_port}", CONOMY_API_KEY="fake-key",
               CONOMY_CLIENT_ID="fake-client", CONOMY_CLIENT_SECRET="fake-secret",
               CHECKOUT_SESSION_SECRET=SECRET, UPSTREAM_TIMEOUT_MS="5000", RUST_LOG="warn",
               RATE_LIMIT_SESSIONS_PER_MIN="0", RATE_LIMIT_PAYMENTS_PER_MIN="0", RATE_LIMIT_READS_PER_MIN="0")
    stdout = open(out / "gateway.out", "w")
    process = subprocess.Popen([binary, "--port", "0", "--bind", "127.0.0.1", "--dist", str(out / "no-dist")],
                               env=env, stdout=stdout, stderr=open(out / "gateway.log", "w"))
    for _ in range(150):
        text = (out / "gateway.out").read_text()
        if " listening on http" in text:
            origin = text.split(" listening on ", 1)[1].split()[0]
            return process, origin
        if process.poll() is not None:
            sys.exit(f"the gateway did not start:\n{(out / 'gateway.log').read_text()}")
        time.sleep(0.2)
    process.kill()
    sys.exit("the gateway printed no address")


# ---- the driver ------------------------------------------------------------------------------

def node_key(rail):
    """The rail node's key (contract §4): the type in camelCase, and three exceptions."""
    special = {"BANK_ACCOUNT": "bank", "CRYPTO": "wallet", "FEDNOW": "fedNow"}
    return special.get(rail, rail.lower())


def payable(session):
    """Steers a drawn session (still schema-valid) to one the page can pay on: ACTIVE, its first
    method enabled and allowed, so most examples reach the reads and the payment."""
    session["status"] = "ACTIVE"
    for config in session.get("paymentConfigs") or []:
        methods = (config or {}).get("paymentMethods") if isinstance(config, dict) else None
        if methods and isinstance(methods[0], dict) and isinstance(methods[0].get("type"), str):
            methods[0]["enabled"] = True
            allowed = session.setdefault("paymentMethodsAllowed", [])
            if methods[0]["type"] not in allowed:
                allowed.append(methods[0]["type"])
            return


def submission(session):
    """A payment for the first method the drawn session offers, as the page would send it."""
    allowed = session.get("paymentMethodsAllowed") or []
    for config in session.get("paymentConfigs") or []:
        for method in (config or {}).get("paymentMethods") or []:
            if (isinstance(method, dict) and isinstance(method.get("type"), str) and method.get("enabled") is True
                    and method["type"] in allowed):
                rail = method["type"]
                return {"description": "x", "origins": [{
                    "type": rail, "currency": config.get("currency"),
                    node_key(rail): {"customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl"},
                                     "successUrl": "https://x/t?return=success"}}]}
    return {"description": "x", "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {}}]}


class Run:
    def __init__(self, origin, fake, answers):
        self.origin = origin
        self.fake = fake
        self.answers = answers
        self.http = requests.Session()
        self.problems = []
        self.count = 0
        self.statuses = {}

    def call(self, what, method, path, kind, capability=None, body=None):
        headers = {"x-checkout-capability": capability} if capability else {}
        response = self.http.request(method, self.origin + path, json=body, headers=headers, timeout=20)
        try:
            value = response.json()
        except ValueError:
            value = None
        self.statuses[(what, response.status_code)] = self.statuses.get((what, response.status_code), 0) + 1
        if response.status_code >= 500:
            self.problems.append(f"{what}: {response.status_code} {response.text[:300]}\n  upstream calls: {self.fake.calls}")
        elif 200 <= response.status_code < 300:
            shape = {"session": SESSION, "payment": PAYMENT, "payments": PAYMENTS, "banks": [BANK]}[kind]
            allowed = value
            if kind == "session" and isinstance(value, dict):
                allowed = {k: v for k, v in value.items() if k not in SESSION_ADDED}
            beyond = outside(allowed, shape, kind)
            if beyond:
                self.problems.append(f"{what}: beyond the allow-list: {beyond[:5]} in {json.dumps(value)[:300]}")
            self.answers.write(json.dumps({"kind": kind, "what": what, "body": value}) + "\n")
            self.count += 1
        return response.status_code, value

    def checkout(self, bodies):
        session = copy.deepcopy(bodies["session"])
        if isinstance(session, dict):
            # An id the gateway can bind a capability to (`_id` is any string): the same session
            # on every call of the example.
            session["id"] = "cs_fuzz1"
            if bodies["payable"]:
                payable(session)
            if bodies["own_token"]:
                # Most sessions name the token they were opened with; the rest keep the drawn one.
                session["checkoutToken"] = TOKEN
        steering = ("payable", "own_token")
        self.fake.set(**{k: v for k, v in dict(bodies, session=session).items() if k not in steering})
        status, opened = self.call("open", "POST", f"/api/payment-links/token/{TOKEN}/checkout-sessions", "session",
                                   body={})
        self.call("banks", "GET", "/api/payments/banks/COL", "banks")
        capability = opened.get("capability") if status == 201 and isinstance(opened, dict) else None
        if not capability:
            return
        self.call("read", "GET", "/api/checkout-sessions/cs_fuzz1", "session", capability)
        self.call("list", "GET", "/api/payments?checkoutSessionId=cs_fuzz1", "payments", capability)
        self.call("pay", "POST", "/api/checkout-sessions/cs_fuzz1/payments", "payment", capability,
                  submission(session))


def main():
    source, binary, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    drawn = schemas(source)
    fake = Fake()
    fake_server = serve_fake(fake)
    gateway, origin = start_gateway(binary, fake_server.server_address[1], out)
    print(f"upstream answers: gateway {origin}, fake Conomy 127.0.0.1:{fake_server.server_address[1]}, "
          f"seed {SEED}, {EXAMPLES} examples", flush=True)
    started = time.monotonic()
    try:
        with open(out / "answers.jsonl", "w") as answers:
            run = Run(origin, fake, answers)
            formats = get_default_format_strategies()
            strategies = {name: build(schema, draft=4, formats=formats) for name, schema in drawn.items()}
            offering = strategies.pop("offering session")
            strategies["session"] = st.one_of(strategies["session"], offering, offering)
            bodies = st.fixed_dictionaries(
                strategies
                | {"payable": st.sampled_from([True, True, True, False]),
                   "own_token": st.sampled_from([True, True, True, False])})

            @seed(SEED)
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck))
            @given(bodies)
            def every_checkout(example):
                run.checkout(example)

            every_checkout()
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
        fake_server.shutdown()
    print("upstream answers: " + ", ".join(f"{what} {status} x{n}" for (what, status), n in sorted(run.statuses.items())),
          flush=True)
    print(f"upstream answers: {run.count} answers to decode in {out / 'answers.jsonl'} "
          f"({time.monotonic() - started:.0f} s)", flush=True)
    for problem in run.problems[:20]:
        print(f"FAIL {problem}", flush=True)
    if run.problems:
        sys.exit(f"upstream answers: {len(run.problems)} problems")


if __name__ == "__main__":
    main()
