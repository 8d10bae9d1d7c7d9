"""Every side effect of the workflows: alert delivery and (later) the reporting ledger."""
