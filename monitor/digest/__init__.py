"""The daily digest to leadership: content (pure), rendering, mail, and the outbox that sends it once."""
