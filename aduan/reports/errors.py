"""Domain errors. Each carries a stable machine code and one translatable message (an
Indonesian msgid, translated by gettext), so every caller can show a clear reason: pages
print it in the reader's language, the APIs render it in both (`message_id`,
`message_en`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.core.i18n import ENGLISH, INDONESIAN, in_language

Message = str | Promise


class DomainError(Exception):
    code = "domain_error"
    status_code = 400

    def __init__(self, message: Message, *, code: str | None = None, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message_id(self) -> str:
        return in_language(self.message, INDONESIAN)

    @property
    def message_en(self) -> str:
        return in_language(self.message, ENGLISH)


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409

    def __init__(self, action: str, status: str):
        from .models import Status

        label = Status(status).label if status in Status.values else status
        super().__init__(
            format_lazy(
                _("Tindakan '{action}' tidak dapat dilakukan pada laporan berstatus {status}."),
                action=action,
                status=label,
            )
        )
        self.action = action
        self.status = status


class NotAllowed(DomainError, PermissionDenied):
    code = "forbidden"
    status_code = 403

    def __init__(self, action: str):
        super().__init__(
            format_lazy(
                _("Anda tidak berwenang melakukan tindakan '{action}' pada laporan ini."),
                action=action,
            )
        )
        self.action = action


class NotOwner(DomainError):
    """The report is owned by another node; the action must go there as a command."""

    code = "not_owner"
    status_code = 409

    def __init__(self, owner: str):
        super().__init__(
            format_lazy(
                _("Laporan ini dikelola oleh simpul {node}; tindakan dikirim ke sana."),
                node=owner,
            )
        )
        self.owner = owner


class InvalidInput(DomainError, ValidationError):
    code = "invalid"
    status_code = 400

    def __init__(self, message: Message, *, field=None, code="invalid"):
        DomainError.__init__(self, message, code=code, field=field)
        ValidationError.__init__(self, message, code=code)


class ValidationFailed(DomainError):
    """Several fields are wrong at once; `errors` maps a field name to its messages."""

    code = "validation_failed"
    status_code = 400

    def __init__(self, errors: dict[str, list[Message]]):
        self.errors = errors
        super().__init__(
            format_lazy(_("Data laporan tidak valid: {fields}"), fields=", ".join(errors))
        )

    def messages(self) -> dict[str, list[str]]:
        """The messages per field, in the active language."""
        return {field: [str(m) for m in msgs] for field, msgs in self.errors.items()}
