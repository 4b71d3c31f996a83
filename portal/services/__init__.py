"""Use cases: each verb owns its transaction and writes the audit event."""
