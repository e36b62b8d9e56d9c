from django.urls import path

from . import views, views_help_links

app_name = "messaging"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("messages/<id:message_id>/", views.message_detail, name="message"),
    path("reminders/", views.reminders, name="reminders"),
    path("helpdesk/", views.helpdesk_inbox, name="helpdesk"),
    path("helpdesk/<id:ticket_id>/", views.ticket_detail, name="ticket"),
    path("helpdesk/<id:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("helpdesk/<id:ticket_id>/close/", views.ticket_close, name="ticket_close"),
    path("helpdesk/<id:ticket_id>/resend/", views.ticket_resend, name="ticket_resend"),
    path("helpdesk/<id:ticket_id>/help-links/revoke/", views_help_links.ticket_help_links_revoke,
         name="ticket_help_links_revoke"),
    path("helpdesk/pending/", views.helpdesk_pending, name="helpdesk_pending"),
    path("settings/", views.channel_settings, name="settings"),
    path("templates/", views.template_index, name="templates"),
    path("templates/<str:kind>/<str:language>/", views.template_edit, name="template_edit"),
    path("wechat/<slug:org_slug>/callback", views.wechat_callback, name="wechat_callback"),
    path("wechat/<slug:org_slug>/bind/<str:token>/", views.wechat_bind, name="wechat_bind"),
    path("wecom/<slug:org_slug>/callback", views.wecom_callback, name="wecom_callback"),
    path("help/<str:token>/", views.help_form, name="help"),
    path("new-link/<str:kind>/<str:token>/", views.new_link, name="new_link"),
]
