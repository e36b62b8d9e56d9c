"""The test SMTP server stays quiet (config/settings/test.py): aiosmtpd's per-connection INFO lines on "mail.log"
(peer, commands, EOF, connection lost) are not logged, so they neither flood a test's output nor come back as
"--- Logging error ---" tracebacks from the server's thread; a real e-mail still goes through it."""

import logging
import time

from django.core.mail import send_mail


def test_a_mail_through_the_test_smtp_server_logs_nothing_of_aiosmtpd(smtp_server, caplog):
    caplog.set_level(logging.INFO)
    send_mail("主题", "正文", "hr@example.com", ["wang.fang@example.com"])
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["wang.fang@example.com"]
    time.sleep(0.5)  # send_mail closed its connection: the server's thread has logged the EOF and the loss by now
    assert [r.getMessage() for r in caplog.records if r.name.startswith("mail.log")] == []
    assert logging.getLogger("mail.log").isEnabledFor(logging.WARNING)  # its warnings and errors still show
