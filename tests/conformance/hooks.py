"""Schemathesis hooks of the conformance run (loaded through schemathesis.toml's `hooks`).

* `other_methods_answer_404`: the check deviations.yaml's `other-methods-404` puts in place of
  Schemathesis's `unsupported_method` (contract §8: other methods on declared paths answer the
  unknown-route 404 in the §7 error shape, not 405).
* `json_everywhere`: every answer under /conomy is JSON in the §7 shape when it is not a 2xx
  (§8), whatever Schemathesis sent, declared or not.
* No User-Agent of the tools' own: Schemathesis fills in `schemathesis/<version>` whenever a
  request has none (and requests and urllib3 their own), so its missing-header case for the
  User-Agent the contract requires (§8) would never be missing. Requests carry the one their
  case has, and none at all when a case has none.
* A workaround for CPython 3.11's `SystemError: AST constructor recursion depth mismatch`
  (fixed in later CPython releases): Hypothesis parses a lambda's source to describe it in a
  strategy's repr, and on 3.11 that parse can fail when the stack is deep. A description is all
  it costs, so a failed one falls back to Hypothesis's own "unknown" text.
"""

import json

import schemathesis
from urllib3.util import SKIP_HEADER
from hypothesis.internal import lambda_sources
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.transport import prepare
from schemathesis.transport.requests import RequestsTransport

# A request carries the User-Agent its case has (the header is a declared parameter, so every
# positive case has one) and no other: none of Schemathesis's own default, and a case without one
# is sent with urllib3's SKIP_HEADER marker, which requests passes through and urllib3 reads as
# "send none" instead of adding `python-urllib3/<version>`.
_defaults = prepare.get_default_headers()
del _defaults["User-Agent"]
prepare.get_default_headers = lambda: _defaults
_serialize = RequestsTransport.serialize_case


def _serialize_without_a_default_agent(self, case, **kwargs):
    data = _serialize(self, case, **kwargs)
    if "User-Agent" not in data["headers"]:  # a CaseInsensitiveDict
        data["headers"]["User-Agent"] = SKIP_HEADER
    return data


RequestsTransport.serialize_case = _serialize_without_a_default_agent

_describe = lambda_sources._lambda_description


def _describe_or_unknown(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_unknown

ERROR_TYPES = {
    400: {"invalidParam", "missingParam", "parsingResource"},
    401: {"unauthorized"},
    404: {"notFound"},
    409: {"alreadyExist"},
    422: {"failedPrecondition"},
}


def _error_body(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} answer is not JSON: {response.content[:200]!r}")
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code} answer is not a JSON object: {body!r}")
    for key in ("status", "statusCode", "type", "detail", "message", "error"):
        if key not in body:
            raise AssertionError(f"{response.status_code} answer lacks `{key}` (§7 shape): {body}")
    if body["status"] != response.status_code or body["statusCode"] != response.status_code:
        raise AssertionError(f"{response.status_code} answer says status {body['status']}/{body['statusCode']}")
    return body


@schemathesis.check
def other_methods_answer_404(ctx, response, case):
    """An undeclared method on a declared path: the §7 `notFound` 404 (contract §8)."""
    meta = case.meta
    data = meta.phase.data if meta is not None else None
    if not isinstance(data, CoveragePhaseData) or data.scenario != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        return None
    if response.request.method in ("OPTIONS", "HEAD"):
        return None
    if response.status_code != 404:
        raise AssertionError(f"{response.request.method} {case.path} answered {response.status_code}, not 404 (§8)")
    if _error_body(response)["type"] != "notFound":
        raise AssertionError("the 404 is not of type notFound (§7)")
    return None


@schemathesis.check
def json_everywhere(ctx, response, case):
    """A refusal under /conomy is the §7 error object with the type its status implies."""
    if response.status_code < 400:
        return None
    body = _error_body(response)
    expected = ERROR_TYPES.get(response.status_code)
    if expected is not None and body["type"] not in expected:
        raise AssertionError(f"{response.status_code} with type {body['type']!r}, expected one of {sorted(expected)} (§7)")
    return None
