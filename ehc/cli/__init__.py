"""The ``ehc`` command line."""
