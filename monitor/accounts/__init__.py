"""Accounts: passwords, log-in throttling, web sessions and the audit log (the web app and the CLI call this)."""
