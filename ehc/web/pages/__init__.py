"""The web service's pages: each module has a ``router`` that ``ehc.web.app`` includes."""
