from django.urls import path

from . import views, views_candidate, views_hr_choice

app_name = "interviews"

urlpatterns = [
    path("interviews/", views.session_index, name="index"),
    path("interviews/<id:session_id>/", views.session_detail, name="detail"),
    path("interviews/<id:session_id>/revoke/", views.session_revoke, name="revoke"),
    path("interviews/<id:session_id>/resend/", views.session_resend, name="resend"),
    path("interviews/new/<id:application_id>/", views.session_new, name="new"),
    path("interviews/answers/<id:answer_id>/media", views.answer_media, name="answer_media"),
    # the candidate's link
    path("i/<str:token>/", views_candidate.interview_page, name="candidate"),
    path("i/<str:token>/state", views_candidate.state, name="candidate_state"),
    path("i/<str:token>/consent", views_candidate.consent, name="candidate_consent"),
    path("i/<str:token>/start", views_candidate.start, name="candidate_start"),
    path("i/<str:token>/speedtest", views_candidate.speedtest, name="candidate_speedtest"),
    path("i/<str:token>/answers", views_candidate.answer_begin, name="candidate_answer_begin"),
    path("i/<str:token>/answers/text", views_candidate.answer_text, name="candidate_answer_text"),
    path("i/<str:token>/answers/<id:answer_id>/chunks/<index:index>", views_candidate.chunk, name="candidate_chunk"),
    path("i/<str:token>/answers/<id:answer_id>/finish", views_candidate.answer_finish, name="candidate_answer_finish"),
    path("i/<str:token>/answers/<id:answer_id>/interruption", views_candidate.answer_interruption,
         name="candidate_answer_interruption"),
    path("i/<str:token>/answers/<id:answer_id>/keep", views_candidate.answer_keep, name="candidate_answer_keep"),
    path("i/<str:token>/answers/<id:answer_id>/continue", views_candidate.answer_continue, name="candidate_answer_continue"),
    path("i/<str:token>/submit", views_candidate.submit, name="candidate_submit"),
    path("i/<str:token>/choice/", views_candidate.choice_page, name="candidate_choice"),
    path("i/<str:token>/explanation/", views_candidate.explanation_page, name="candidate_explanation"),
    # HR: notices and candidates' requests (issue 20)
    path("interviews/notices/", views_hr_choice.notice_index, name="notices"),
    path("interviews/notices/<str:kind>/edit/", views_hr_choice.notice_edit, name="notice_edit"),
    path("interviews/requests/", views_hr_choice.request_index, name="requests"),
    path("interviews/requests/<id:request_id>/", views_hr_choice.request_detail, name="request_detail"),
]
