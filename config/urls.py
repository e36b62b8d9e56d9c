from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from config.api import api
from hirelens.core import views as core_views

handler500 = "hirelens.core.views.server_error"  # staff keep their dashboard link, candidates get none

urlpatterns = [
    path("", include("hirelens.core.urls")),
    path("accounts/", include("hirelens.accounts.urls")),
    path("positions/", include("hirelens.positions.urls")),
    path("candidates/", include("hirelens.candidates.urls")),
    path("messaging/", include("hirelens.messaging.urls")),
    path("processes/", include("hirelens.workflows.urls")),
    path("scheduling/", include("hirelens.scheduling.urls")),
    path("live/", include("hirelens.live.urls")),
    path("portal/", include("hirelens.portal.urls")),
    path("imports/", include("hirelens.imports.urls")),
    path("", include("hirelens.interviews.urls")),
    path("evaluations/", include("hirelens.evaluations.urls")),
    path("feedback/", include("hirelens.feedback.urls")),
    path("analytics/", include("hirelens.analytics.urls")),
    path("privacy/", include("hirelens.privacy.urls")),
    path("settings/retention/", include("hirelens.privacy.urls_retention")),
    path("settings/webhooks/", include("hirelens.webhooks.urls")),
    path("settings/api-keys/", include("hirelens.integrations.urls")),
    path("", include("hirelens.fairness.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("metrics", core_views.metrics_view, name="metrics"),
]
