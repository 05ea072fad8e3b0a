"""The one error the build's steps raise on input they cannot use."""


class BuildInputError(ValueError):
    """A records folder, record, results or benchmark file that the build cannot
    use; the message names the file (and the record)."""
