"""Logging filters referenced from settings.LOGGING."""

import logging


class OneLineWarning(logging.Filter):
    """Log the record as a one-line warning: for refusals that are expected noise
    (a scanner's Host header), where a traceback at ERROR would bury real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403, 404, 400) is the user's or a scanner's doing and already
    audited where it matters: one line, no traceback. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
