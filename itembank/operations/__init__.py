"""Domain operations: plain functions taking domain objects and the acting user.

Each checks the actor's role, changes state, flushes and writes an audit event. None
commits: the caller (a request, a CLI command, a test) commits once.
"""
