"""Run schemathesis over every operation of the API in-process (shared by tests/security/test_schema.py and
bench/fuzz_api.py)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self, limit: int = 40) -> str:
        lines = [f"{len(self.failures)} operations with failures ({self.requests} requests):"]
        for operation, problems in list(self.failures.items())[:limit]:
            lines.append(f"- {operation}: " + " | ".join(sorted(set(problems)))[:600])
        return "\n".join(lines)


@contextlib.contextmanager
def _keep_the_test_connection():
    """The WSGI handler closes database connections after each request; in a test that would end the test's
    transaction. Django's own test client disconnects the same signal."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run_schemathesis(users, *, max_examples: int) -> Report:
    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.authtoken.models import Token
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    raw = SchemaGenerator().get_schema(request=None, public=True)
    raw["servers"] = [{"url": "http://testserver"}]
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    tokens = [Token.objects.get_or_create(user=u)[0].key for u in users]
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    report = Report()
    with _keep_the_test_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if operation.path.endswith(("/schema/", "/docs/", "/redoc/")):
                continue
            report.operations += 1

            run = _runner(operation, label, tokens, checks, report, max_examples)
            try:
                run()
            except Exception as exc:  # generation itself failed for this operation
                report.failures.setdefault(label, []).append(f"generation: {type(exc).__name__}: {exc}"[:300])
    return report


def _runner(operation, label, tokens, checks, report, max_examples):
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        for token in tokens:
            response = case.call(headers={"Authorization": f"Token {token}", "Host": "testserver"})
            report.requests += 1
            report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # a check failed: record it, keep going
                text = str(exc).strip().splitlines()
                report.failures.setdefault(label, []).append(
                    f"{response.status_code}: {' '.join(text[:3])[:400] if text else type(exc).__name__}")

    return run

