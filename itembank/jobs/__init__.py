"""Background jobs: work that outlives a web request (imports now; assembly and
calibration next), run by worker processes on any machine.

The database is the truth about a job (:class:`itembank.models.Job`); the queue only
carries job ids from the web processes to the workers. The parts:

- :mod:`.registry`: the kinds of job and the function that does each;
- :mod:`.operations`: starting, reading, listing and cancelling jobs, with the bank's
  rules on who may see what (views, the API and the CLI go through these);
- :mod:`.runner`: what a worker does with a job id: take the job (one conditional UPDATE,
  so a job never runs twice at once), keep its lease fresh, run it, record the end;
- :mod:`.control`: the job's state written beside the work's own transaction, so progress
  shows and cancelling works while the work is not yet committed;
- :mod:`.queue`: the only module that talks to Huey (SQLite file by default, Redis with
  ``ITEMBANK_REDIS_URL``), and the worker (consumer) itself.
"""
