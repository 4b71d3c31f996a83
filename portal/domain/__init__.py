"""Pure domain rules: deadlines, procedures, case lifecycle and routing (no Flask, no I/O)."""
