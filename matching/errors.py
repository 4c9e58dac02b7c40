"""The one error the solvers raise for a problem they cannot accept."""


class BadInput(ValueError):
    """The problem breaks the contract of DESIGN §7 (wrong type, unknown id, negative capacity...).

    Its message is one line that names the offending field, so a command can print it as is.
    """
