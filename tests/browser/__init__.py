"""Browser tests: the web service in Debian's Chromium, driven by Playwright."""
