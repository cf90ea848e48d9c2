"""Alerts: tell the people who must act, within minutes, once per case, event and recipient."""
