"""The AI interview's writes, one module per part (docs/architecture.md, "How a recording flows"):

- ``sessions``: create, link, revoke, consent, start, submit; the practice question; the open states;
- ``invitations``: send and resend by the candidate's channels, reminders, the deadline in the candidate's zone;
- ``plans``: the question plan of an AI-video stage and what the "send" page starts from;
- ``answers``: begin (or resume) a take, interruptions, continuing a take, text answers;
- ``uploads``: the resumable upload protocol (pieces, finish, the refusals of an unusable recording);
- ``errors``: the two refusals the candidate's API answers with 409 and 422.

Everything public is re-exported here, so callers import ``hirelens.interviews.services``. A test that replaces a
function replaces it in the submodule that calls it (``services.uploads.probe``), not here.
"""

from .answers import (  # noqa: F401
    MAX_INTERRUPTIONS,
    MIN_CONTINUE_S,
    answer_begin,
    answer_continue,
    answer_interrupted,
    answer_interruption_keep,
    answer_text,
    question_for,
    retakes_left,
)
from .errors import UnusableRecording, UploadConflict, unusable_message  # noqa: F401
from .invitations import (  # noqa: F401
    REMINDER_OFFSETS,
    RESEND_EXTENSION_DAYS,
    choice_url,
    invitation_deadline,
    invitation_deadline_at,
    invitation_variables,
    session_deliveries,
    session_resend,
    session_send,
    session_time_zone,
)
from .plans import (  # noqa: F401
    SendPlan,
    application_ai_stage,
    plan_from_stage,
    send_options_from_form,
    send_options_from_stage,
    send_plan,
    stage_materials,
)
from .sessions import (  # noqa: F401
    OPEN_STATES,
    PRACTICE_ANSWER_S,
    PRACTICE_DEFAULTS,
    PRACTICE_DEFAULTS_ZH,
    PRACTICE_PREP_S,
    SUBJECT_TYPE,
    _hash,
    consent_record,
    current_notices,
    practice_default,
    practice_text,
    require_session_link,
    session_by_token,
    session_create,
    session_link,
    session_mark_analysed_if_done,
    session_opens_at,
    session_revoke,
    session_start,
    session_submit,
)
from .uploads import (  # noqa: F401
    DURATION_GRACE_S,
    MAX_BYTES_PER_SECOND,
    MAX_CHUNK_BYTES,
    MIN_ANSWER_S,
    answer_finish,
    chunk_put,
)
