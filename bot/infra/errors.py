"""Domain errors. Their messages are user-facing (Chinese) because they are shown as is."""


class DomainError(Exception):
    """Something a user asked for cannot be done; ``str(err)`` says why, in Chinese."""


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    """The actor's role does not allow this action."""


class InvalidTransition(DomainError):
    """The object is not in a state where this action applies."""


class InvalidInput(DomainError):
    pass
