"""Targeted cases of the conformance run: one payment on every pay-in rail of contract §5, each on
a link of the rail's currency, checked by Schemathesis against the prepared OpenAPI file (status
declared, content type, the `payment` schema), and the session's payments list after it.

Usage: rails.py PREPARED_YAML CONOMY_BASE_URL ACCESS_TOKEN
"""

import sys

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CHILE = {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl", "phoneNumberPrefix": "+56",
         "phoneNumber": "912345678", "documentType": "RUT", "documentNumber": "12.345.678-5"}
COLOMBIA = {"firstName": "Camila", "lastName": "Gómez", "email": "camila@example.co", "phoneNumberPrefix": "+57",
            "phoneNumber": "3001234567", "documentType": "CC", "documentNumber": "1020304050"}
BRAZIL = {"firstName": "João", "lastName": "Silva", "email": "joao@example.com.br", "documentNumber": "52998224725"}
ARGENTINA = {"firstName": "Sofía", "email": "s@example.com.ar", "phoneNumberPrefix": "+54", "phoneNumber": "91123456789"}
MEXICO = {"firstName": "Luis", "lastName": "Pérez", "email": "luis@example.mx"}
ANYWHERE = {"firstName": "Alex", "lastName": "Doe", "email": "alex@example.com"}
# The file's US bank-pull nodes also name the payer's account (routing and account number).
US_ACCOUNT = {"customer": ANYWHERE, "routingNumber": "021000021", "accountNumber": "000123456789", "accountType": "CHECKING"}

# rail, currency, node key (§4: the type in camelCase, FEDNOW -> fedNow, CRYPTO -> wallet), node.
RAILS = [
    ("ETPAY", "CLP", "etpay", {"customer": CHILE}),
    ("FINTOC", "CLP", "fintoc", {"customer": CHILE}),
    ("WEBPAY", "CLP", "webpay", {"customer": CHILE}),
    ("PSE", "COP", "pse", {"customer": COLOMBIA, "bankId": "1007"}),
    ("BANCOLOMBIA", "COP", "bancolombia", {"customer": COLOMBIA}),
    ("DAVIVIENDA", "COP", "davivienda", {"customer": COLOMBIA, "bankId": "1051"}),
    ("DAVIPLATA", "COP", "daviplata", {"customer": COLOMBIA}),
    ("NEQUI", "COP", "nequi", {"customer": {"phoneNumber": "3001234567", "phoneNumberPrefix": "+57", "email": "camila@example.co"}}),
    ("WOMPI", "COP", "wompi", {"customer": COLOMBIA}),
    ("PIX", "BRL", "pix", {"customer": BRAZIL}),
    ("PCT", "ARS", "pct", {"customer": ARGENTINA}),
    ("CVU", "ARS", "cvu", {"customer": ARGENTINA}),
    ("SPEI", "MXN", "spei", {"customer": MEXICO}),
    ("LIGO", "PEN", "ligo", {"customer": ANYWHERE}),
    ("SIP", "PEN", "sip", {"customer": ANYWHERE}),
    ("ACH", "USD", "ach", US_ACCOUNT),
    ("FEDNOW", "USD", "fedNow", US_ACCOUNT),
    ("RTP", "USD", "rtp", US_ACCOUNT),
    ("CARD", "USD", "card", {"customer": ANYWHERE}),
    ("CRYPTO", "USD", "wallet", {"customer": ANYWHERE, "address": "0x52908400098527886E0F7030069857D2E4169EE7", "network": "ETH"}),
]


def link_body(rail, currency):
    return {
        "checkoutToken": f"conformance-{rail.lower()}",
        "currency": currency,
        "items": [{"description": f"Conformance {rail}", "preTaxAmount": "1000", "totalAmount": "1000"}],
        "paymentMethodsAllowed": [rail],
        "destinations": [{"type": "ACCOUNT", "amount": "1000", "name": "Conformance",
                          "account": {"type": "CHECKING", "currency": currency, "accountNumber": "conf-001",
                                      "accountHolder": "Conformance SpA"}}],
        "duration": 3600,
        "owner": {"identityId": "conformance", "name": "Conformance"},
    }


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, base, token = sys.argv[1:]
    schema = schemathesis.openapi.from_path(path)
    headers = {"x-api-key": "sandbox-api-key", "Authorization": f"Bearer {token}", "User-Agent": "conformance-rails"}

    def call(method, route, expected, **parts):
        case = schema[route][method].Case(headers=dict(headers), **parts)
        response = case.call(base_url=base)
        if response.status_code != expected:
            raise AssertionError(f"{method} {route}: {response.status_code} {response.text[:500]}")
        case.validate_response(response, checks=CHECKS, headers=headers)
        return response.json()

    failures = []
    for rail, currency, key, node in RAILS:
        try:
            link = call("POST", "/payment-links", 201, body=link_body(rail, currency))
            session = call("POST", "/payment-links/token/{checkout-token}/checkout-sessions", 201,
                           path_parameters={"checkout-token": link["checkoutToken"]}, body={})
            node = dict(node, successUrl=f"{base}/t?return=success", failedUrl=f"{base}/t?return=failed")
            body = {"description": f"Conformance {rail}", "origins": [{"type": rail, "currency": currency, key: node}]}
            payment = call("POST", "/checkout-sessions/{checkout_session_id}/payments", 200,
                           path_parameters={"checkout_session_id": session["id"]}, body=body)
            if payment["origins"][0]["type"] != rail or key not in payment["origins"][0]:
                raise AssertionError(f"the payment's origin is not a {rail} node: {payment['origins'][0]}")
            listed = call("GET", "/payments", 200, query={"checkoutSessionId": session["id"]})
            if [p["id"] for p in listed["results"]] != [payment["id"]]:
                raise AssertionError(f"the session's payments list is not the one payment: {listed}")
            print(f"  ok      {rail:<12} {currency}  payment {payment['id']} {payment['status']}")
        except (AssertionError, BaseExceptionGroup) as error:  # one failed check, or several
            failures.append(rail)
            print(f"  FAILED  {rail:<12} {currency}  {error}")
    print(f"rails: {len(RAILS) - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
