"""An e-mail backend for the crash drill (test_crash_drill.py): each message takes a
moment to send, as through a real mail server, so that a SIGKILL lands in the middle of
deliveries, and is then recorded, one JSON line per message, in DRILL_MAIL_LOG."""

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class SlowRecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            time.sleep(0.05)
            with open(os.environ["DRILL_MAIL_LOG"], "a") as log:
                log.write(json.dumps({"message_id": message.extra_headers["Message-ID"]}) + "\n")
                log.flush()
                os.fsync(log.fileno())
        return len(email_messages)
