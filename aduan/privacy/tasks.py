from django_tasks import task

from . import erasure, retention


@task(queue_name="schedule")
def apply_retention() -> dict:
    """One bounded run of the retention schedule (enqueued with the periodic jobs)."""
    return retention.run_if_due()


@task()
def erase_personal_data(request_id: int) -> dict:
    """Carry out a recorded erasure request (`erasure.carry_out_erasure`)."""
    record = erasure.carry_out_erasure(request_id)
    return {"request": str(record.uuid), "status": record.status}
