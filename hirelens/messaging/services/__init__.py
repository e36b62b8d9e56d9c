"""Writes of the messaging app. Other apps call these (see docs/messaging.md):

* ``message_send`` — one notification to a candidate or a staff member, delivered by a job;
* ``reminders_plan`` / ``reminders_cancel`` — durable reminders for a generic subject;
* ``ics_build`` — the calendar invitation attached to e-mails.
"""

from .helpdesk import ticket_close, ticket_open_web, ticket_reply
from .ics import ics_build
from .messages import message_deliver, message_send
from .reminders import reminders_cancel, reminders_dispatch_due, reminders_plan

__all__ = ["ics_build", "message_deliver", "message_send", "reminders_cancel", "reminders_dispatch_due", "reminders_plan",
           "ticket_close", "ticket_open_web", "ticket_reply"]
