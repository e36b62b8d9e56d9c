from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("security/", views.security, name="security"),
    path("preferences/", views.preferences, name="preferences"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<id:user_id>/", views.user_edit, name="user_edit"),
    path("users/<id:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("invitations/<id:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
