"""Load test (gunicorn + PostgreSQL + locust): see run_load.py."""
