"""The project's own error types; adapters translate library errors into these."""


class ConsultantError(Exception):
    """Base of every error this product raises on purpose."""


class ConfigError(ConsultantError):
    """A setting is missing or malformed; the message names the variable."""


class TransientError(ConsultantError):
    """Worth retrying later: a broker, database or relay that is briefly unavailable."""


class PermanentError(ConsultantError):
    """Retrying will not help; the item is parked for a person to look at."""


class IllegalTransition(ConsultantError):
    """A case was asked to move along an edge the state machine does not have."""


class NotFound(ConsultantError):
    """The requested row does not exist."""
