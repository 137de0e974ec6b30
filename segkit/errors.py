"""Errors that segkit shows to people as one specific line (never a traceback)."""


class SegkitError(Exception):
    """Base class for segkit's own errors."""


class SegkitInputError(SegkitError, ValueError):
    """The input (file, column choice or parameter) cannot be used; the message says why.

    Messages are written for a marketer: they name the column, row or parameter and
    what would work instead.
    """
