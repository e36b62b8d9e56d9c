from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("position/<int:position_id>/", views.position_processes, name="position"),
    path("position/<int:position_id>/new/", views.process_new, name="new"),
    path("position/<int:position_id>/board/", views.board, name="board"),
    path("<int:process_id>/designer/", views.designer, name="designer"),
    path("<int:process_id>/stages/add/", views.stage_add, name="stage_add"),
    path("<int:process_id>/stages/reorder/", views.stages_reorder, name="stages_reorder"),
    path("<int:process_id>/preview/", views.preview, name="preview"),
    path("<int:process_id>/publish/", views.publish, name="publish"),
    path("<int:process_id>/activate/", views.activate, name="activate"),
    path("<int:process_id>/clone/", views.clone, name="clone"),
    path("stages/<int:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:stage_id>/card/", views.stage_card, name="stage_card"),
    path("stages/<int:stage_id>/assets/<int:asset_id>/", views.stage_asset, name="stage_asset"),
    path("stages/<int:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<int:stage_id>/import-scores/", views.stage_import_scores, name="stage_import_scores"),
    path("applications/<int:application_id>/", views.application_progress, name="application"),
    path("applications/<int:application_id>/start/", views.application_start, name="application_start"),
    path("applications/<int:application_id>/move/", views.application_move, name="application_move"),
    path("applications/<int:application_id>/move-to/", views.application_move_to, name="application_move_to"),
    path("applications/<int:application_id>/stages/<int:stage_id>/score/", views.stage_score, name="stage_score"),
]
