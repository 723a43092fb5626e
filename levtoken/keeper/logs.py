"""Structured logging for the keeper: every record is an event name plus key=value fields.

Library code calls `emit(log, level, "event_name", key=value, ...)`. The message reads
``event_name key=value key=value`` with any formatter, and the fields are attached to the record
(`record.event`, `record.fields`) so that `JsonFormatter` can write one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any


def _render(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return json.dumps(text) if (" " in text or "=" in text or text == "") else text


def emit(log: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Logs `event` with `fields` as ``event k=v ...`` (fields also kept on the record)."""
    if not log.isEnabledFor(level):
        return
    text = " ".join([event, *(f"{k}={_render(v)}" for k, v in fields.items())])
    log.log(level, "%s", text, extra={"event": event, "fields": fields})


class KeyValueFormatter(logging.Formatter):
    """``2024-01-01T00:00:00Z level=info logger=levtoken.keeper.bot event k=v ...``"""

    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = f"{ts}Z level={record.levelname.lower()} logger={record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, event and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or record.getMessage(),
        }
        for key, value in (getattr(record, "fields", None) or {}).items():
            payload[key] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload)


def configure(level: int = logging.INFO, json_lines: bool = False) -> None:
    """Sends the `levtoken` loggers to stderr in key=value (or JSON) form; for the command lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    root = logging.getLogger("levtoken")
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
