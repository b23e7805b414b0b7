"""Background tasks on the database: the ``background_task`` table is the queue (queue.py),
worker.py runs them, registry.py names the kinds, results.py keeps their files."""
