"""The app's door is `studio.gate` (Host and Origin checks, the login rate limit): the same door stands in
front of `studio serve`, which sits below the UI, so the module lives at the studio's root."""
from studio.gate import MAX_FAILED_LOGINS, Allowed, Gate, allowed_hosts, host_name, password_check

__all__ = ["MAX_FAILED_LOGINS", "Allowed", "Gate", "allowed_hosts", "host_name", "password_check"]
