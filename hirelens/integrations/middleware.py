"""Every API call made with a key is in the audit log, named by the key (docs/architecture.md, "API calls audited").

A call whose work already wrote entries (a create, a read of personal data) is named by those: they carry
"· API: <key name>" in ``actor_label`` (``core.audit._actor_fields``), and ``core.audit`` counts them on the acting
user (``api_audit_entries``). Any other call (a read of positions, a refusal, a failure) gets ONE ``API_CALL`` entry
with the method, path (no query string: it may hold a searched name) and status. A call that failed (4xx/5xx) always
gets one, since the entries of its work may have been rolled back. Calls over the rate limit (429) get none: they did
nothing, and a flood of them must not flood the log.
"""

from __future__ import annotations

from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent


def api_call_audit(*, request, key, status: int) -> AuditEvent | None:
    user = key.user
    if status == 429 or (status < 400 and getattr(user, "api_audit_entries", 0)):
        return None
    return audit_record(action=AuditEvent.Action.API_CALL, actor=user, obj=key,
                        fields=[f"{request.method} {request.path} {status}"], request=request)


class ApiCallAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "api_key", None)
        if key is not None:
            api_call_audit(request=request, key=key, status=response.status_code)
        return response
