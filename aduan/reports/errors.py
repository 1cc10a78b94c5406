"""Domain errors. Each carries a stable machine code and a message in Indonesian then
English, so every caller (web, API, Open311, commands) can show a clear reason."""

from django.core.exceptions import PermissionDenied, ValidationError


class DomainError(Exception):
    code = "domain_error"
    status_code = 400

    def __init__(self, message_id: str, message_en: str, *, code: str | None = None, field=None):
        super().__init__(f"{message_id} / {message_en}")
        self.message_id = message_id
        self.message_en = message_en
        self.message = f"{message_id} / {message_en}"
        self.field = field
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409

    def __init__(self, action: str, status: str):
        from .models import Status

        label = Status(status).label if status in Status.values else status
        super().__init__(
            f"Tindakan '{action}' tidak dapat dilakukan pada laporan berstatus {label}.",
            f"Action '{action}' is not allowed on a report with status '{status}'.",
        )
        self.action = action
        self.status = status


class NotAllowed(DomainError, PermissionDenied):
    code = "forbidden"
    status_code = 403

    def __init__(self, action: str):
        super().__init__(
            f"Anda tidak berwenang melakukan tindakan '{action}' pada laporan ini.",
            f"You are not allowed to perform '{action}' on this report.",
        )
        self.action = action


class NotOwner(DomainError):
    """The report is owned by another node; the action must go there as a command."""

    code = "not_owner"
    status_code = 409

    def __init__(self, owner: str):
        super().__init__(
            f"Laporan ini dikelola oleh simpul {owner}; tindakan dikirim ke sana.",
            f"This report is handled by node {owner}; the action is sent there.",
        )
        self.owner = owner


class InvalidInput(DomainError, ValidationError):
    code = "invalid"
    status_code = 400

    def __init__(self, message_id: str, message_en: str, *, field=None, code="invalid"):
        DomainError.__init__(self, message_id, message_en, code=code, field=field)
        ValidationError.__init__(self, f"{message_id} / {message_en}", code=code)


class ValidationFailed(DomainError):
    """Several fields are wrong at once; `errors` maps a field name to its messages."""

    code = "validation_failed"
    status_code = 400

    def __init__(self, errors: dict[str, list[tuple[str, str]]]):
        self.errors = errors
        super().__init__(
            "Data laporan tidak valid: " + ", ".join(errors),
            "Invalid report data: " + ", ".join(errors),
        )

    def messages(self) -> dict[str, list[str]]:
        return {field: [f"{i} / {e}" for i, e in msgs] for field, msgs in self.errors.items()}
