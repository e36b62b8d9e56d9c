from .assets import question_audio_attach  # noqa: F401
from .pipeline import (  # noqa: F401
    PIPELINE_ACTIONS,
    pipeline_advance,
    pipeline_complete,
    pipeline_hold,
    pipeline_move,
    pipeline_reject,
    pipeline_resume,
    pipeline_start,
    pipeline_withdraw,
    stage_max_score,
    stage_result_record,
    stage_results_import_csv,
)
from .processes import (  # noqa: F401
    process_activate,
    process_clone,
    process_create,
    process_draft,
    process_publish,
    stage_add,
    stage_remove,
    stage_update,
    stages_reorder,
)
