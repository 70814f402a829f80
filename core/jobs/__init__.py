"""Background work: analyses, re-runs, batches and feed polls as jobs, run by Huey workers (core.jobs.queue)."""
