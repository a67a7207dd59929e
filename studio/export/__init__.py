"""Export: the adapter as a zip, a merged model, a push to the hub, and the import of an adapter made
elsewhere, checked against its base model.

The errors a user can fix, by key of studio/text/errors_*.py (str(e) is the English, the UI says them in
its language). Each keeps the built-in class a caller may catch: a missing folder is a FileNotFoundError."""
from __future__ import annotations

from studio.text import Said


class ExportError(Said, ValueError):
    """An export, a push or an import that cannot be done as asked (a running run, a bad adapter)."""


class ExportMissing(Said, FileNotFoundError):
    """What an export or an import needs is not there (a folder, the source)."""


class ExportExists(Said, FileExistsError):
    """The export's target already exists."""


class ExportDenied(Said, PermissionError):
    """The export's folder is not writable."""


class PushError(Said, OSError):
    """The hub refused a push or could not be reached (its own words are the `why` field)."""
