"""Temporal workflows: thin durable shells that feed events into ``statutory`` and sleep until
the next date. Nothing here does I/O; side effects are activities."""
