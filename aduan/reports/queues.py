"""The two supervision queues, defined once for the inbox tabs and the staff dashboards.

- **Overdue** (Terlambat): open reports whose running deadline has passed
  (`next_due_at < now`, the stored deadline column with its partial index), however long
  ago, escalated or not.
- **Escalated** (Eskalasi): open reports that went up to the national admins and the
  supervisors: a deadline missed by more than three working days (escalation level 2), or
  an answer the reporter contested. The first escalation, to the agency admins, happens as
  soon as a deadline passes; it is what "overdue" already shows, so it does not put a
  report in this queue.
"""

import datetime as dt

from django.db.models import Q

from .models import OPEN_STATUSES, EscalationLevel


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, next_due_at__lt=now)


def escalated_q() -> Q:
    return (
        Q(status__in=OPEN_STATUSES)
        & (
            Q(escalation_level__gte=EscalationLevel.NATIONAL)
            | Q(appeal_used=True, is_escalated=True)
        )
        # Implied by the line above; stated so that the partial index on escalated
        # reports (report_escalated_idx) serves the query on PostgreSQL.
        & (Q(is_escalated=True) | Q(escalation_level__gte=EscalationLevel.AGENCY_ADMIN))
    )
