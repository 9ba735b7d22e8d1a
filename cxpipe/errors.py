"""Errors the CLI reports as one sentence."""


class CxpipeError(Exception):
    """A problem the user can fix; the message says what and where, in one sentence."""
