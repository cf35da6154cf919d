"""The Celery app of Flo's jobs benchmark: Redis as broker and result backend, and the no-op task.

Imported by the driver (celery_bench.py) and by the worker it starts (`celery -A noop_app worker`), which find the
Redis port in FLO_BENCH_REDIS_PORT.
"""
import os
import time

from celery import Celery

_url = f"redis://127.0.0.1:{os.environ.get('FLO_BENCH_REDIS_PORT', '6379')}/0"

app = Celery("flo_bench", broker=_url, backend=_url)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Results only have to live until the caller's .get() has read them.
    result_expires=600,
    # The default pool of 10 broker connections would make the 11th concurrent caller wait for one in apply_async.
    broker_pool_limit=max(10, int(os.environ.get("FLO_BENCH_CALLERS", "10"))),
    # Nothing but the benchmark's own events on this broker.
    worker_send_task_events=False,
    task_send_sent_event=False,
)


@app.task(name="flo_bench.noop")
def noop():
    """The handler: does nothing but return when it started (wall clock, comparable with the driver's on this host)."""
    return time.time()
