from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("position/<id:position_id>/", views.position_processes, name="position"),
    path("position/<id:position_id>/new/", views.process_new, name="new"),
    path("position/<id:position_id>/board/", views.board, name="board"),
    path("position/<id:position_id>/board/<slug:stage_key>/", views.board_column, name="board_column"),
    path("<id:process_id>/designer/", views.designer, name="designer"),
    path("<id:process_id>/stages/add/", views.stage_add, name="stage_add"),
    path("<id:process_id>/stages/reorder/", views.stages_reorder, name="stages_reorder"),
    path("<id:process_id>/preview/", views.preview, name="preview"),
    path("<id:process_id>/publish/", views.publish, name="publish"),
    path("<id:process_id>/activate/", views.activate, name="activate"),
    path("<id:process_id>/clone/", views.clone, name="clone"),
    path("stages/<id:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<id:stage_id>/card/", views.stage_card, name="stage_card"),
    path("stages/<id:stage_id>/assets/<id:asset_id>/", views.stage_asset, name="stage_asset"),
    path("stages/<id:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<id:stage_id>/import-scores/", views.stage_import_scores, name="stage_import_scores"),
    path("applications/<id:application_id>/", views.application_progress, name="application"),
    path("applications/<id:application_id>/start/", views.application_start, name="application_start"),
    path("applications/<id:application_id>/move/", views.application_move, name="application_move"),
    path("applications/<id:application_id>/move-to/", views.application_move_to, name="application_move_to"),
    path("applications/<id:application_id>/stages/<id:stage_id>/score/", views.stage_score, name="stage_score"),
]
