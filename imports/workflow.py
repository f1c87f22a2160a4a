"""Batching the review workflow's emails during an import.

Wagtail emails the reviewers each time a record is submitted to the workflow, from the signal
handler, inside the transaction (DESIGN.md, pitfalls). An import that submits 300 records would
send 300 emails per reviewer. Inside :func:`quiet_workflow_notifications` those emails are not
sent; the import sends one summary instead (``services.batch_notify``). Only the current thread
or task is quieted: someone submitting a record in the admin at the same time gets their email.
"""

import threading
from contextlib import contextmanager
from contextvars import ContextVar

_quiet: ContextVar[bool] = ContextVar("quiet_workflow_notifications", default=False)
_installed = False
_lock = threading.Lock()

# Wagtail's own receivers (wagtail/admin/signal_handlers.py), by their dispatch_uid.
_SUBMISSION_RECEIVERS = (
    ("task_submitted", "group_approval_task_submitted_email_notification"),
    ("workflow_submitted", "workflow_state_submitted_email_notification"),
)


def _gate(receiver):
    def gated(*args, **kwargs):
        if _quiet.get():
            return True
        return receiver(*args, **kwargs)

    return gated


def _install():
    """Put a gate in front of Wagtail's submission notifiers, once per process."""
    global _installed
    with _lock:
        if _installed:
            return
        from wagtail import signals
        from wagtail.admin import signal_handlers
        from wagtail.models import TaskState, WorkflowState

        receivers = {
            "task_submitted": (signal_handlers.task_submission_email_notifier, TaskState),
            "workflow_submitted": (
                signal_handlers.workflow_submission_email_notifier,
                WorkflowState,
            ),
        }
        for name, uid in _SUBMISSION_RECEIVERS:
            signal = getattr(signals, name)
            receiver, sender = receivers[name]
            if signal.disconnect(sender=sender, dispatch_uid=uid):
                signal.connect(_gate(receiver), sender=sender, dispatch_uid=uid, weak=False)
        _installed = True


@contextmanager
def quiet_workflow_notifications():
    _install()
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)
