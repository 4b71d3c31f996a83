"""WSGI entry point: `flask --app wsgi ...` and gunicorn `wsgi:app`."""

import gc

from portal import create_app

app = create_app()
# What starting made (modules, compiled templates, the app: some 130,000 objects) lives as long as
# the process. Frozen, it is left out of the collector's full passes, which then look only at
# what requests made: a full collection paused a worker for 75 ms, and now for about 7 (issue #10).
gc.freeze()
