"""The web service (issue 12): server-rendered GOV.UK pages for caseworkers, supervisors and
analysts, on its own port beside the JSON API. ``ehc.web.app.create_web_app`` builds it."""


class WebCannotStart(RuntimeError):
    """The web service cannot start (assets not installed, port taken): one line saying
    what to do."""
