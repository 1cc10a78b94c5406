"""Inbox rows drawn in Python match the row template exactly, in every variant."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aduan.reports.models import Report
from aduan.workspace import inbox as ib
from aduan.workspace.rows import report_row

pytestmark = pytest.mark.django_db


def _variants(world):
    world.report_in("submitted")
    world.report_in("dispositioned", is_anonymous=True, category="limbah")
    world.report_in("in_progress")
    overdue = world.report_in("in_progress")
    Report.objects.filter(pk=overdue.pk).update(
        next_due_at=timezone.now() - timezone.timedelta(days=3), is_overdue=True
    )
    escalated = world.report_in("dispositioned")
    Report.objects.filter(pk=escalated.pk).update(
        is_escalated=True, is_confidential=True, title='Jalan <b>"rusak"</b> & banjir'
    )
    bare = world.report_in("submitted")
    Report.objects.filter(pk=bare.pk).update(category=None, region=None, next_due_at=None)
    rows = list(ib.with_related(Report.objects.order_by("pk")))
    ib.SLAJudge(timezone.now()).annotate(rows)
    return rows


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("bulk", [True, False])
def test_python_rows_equal_the_template(world, language, bulk):
    rows = _variants(world)
    assert {r.sla_state for r in rows} >= {"overdue", None}
    with translation.override(language):
        for report in rows:
            expected = render_to_string(
                "workspace/_report_row.html",
                {"report": report, "bulk_form": object() if bulk else None},
            )
            assert report_row(report, bulk=bulk) == expected
    assert any("&lt;b&gt;" in report_row(r, bulk=bulk) for r in rows)
