"""The job queue's backend: django-tasks' database backend, with the job row written by
`insert_new` (a statement built once per process) instead of `objects.create()`.

Every report submission queues a delivery job in its transaction; the row and everything
else about the queue (claiming, retries, results, the worker) are the library's."""

from django.db import router
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued

from .rowsql import insert_new


class QueueBackend(DatabaseBackend):
    def enqueue(self, task, args, kwargs):
        # As the library's, with the row's TaskResult built once (its `task_result` is a
        # property that imports and checks the task each time it is read).
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        # The fields the library's own backend fills (django_tasks_db.backend).
        row = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        insert_new([row], using=router.db_for_write(DBTaskResult))
        return row
