"""The one error the rules core raises for input the law does not allow."""


class RuleViolation(ValueError):
    """An event, date or exception that the statutory rules reject.

    The message is shown to caseworkers as it is: one plain sentence saying what is wrong.
    """
