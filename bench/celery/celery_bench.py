#!/usr/bin/env python3
"""Celery peer of Flo's jobs benchmark (bench/Flo.Bench/Jobs/CeleryPeer.cs runs it).

Starts a Celery worker on the Redis broker/backend at --redis-port, then runs the closed loop "invoke -> handler ->
result" with --concurrency caller threads, each doing noop.delay().get() over and over for --seconds after --warmup
seconds, and prints one JSON line: jobs, elapsed seconds, and p50/p99 of submit->start (the task's own time.time()
minus the caller's submit time) and of submit->result, in milliseconds.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--concurrency", type=int, default=1, help="caller threads")
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--warmup", type=float, default=1)
    # Why threads: see worker_command().
    p.add_argument("--pool", default="threads", help="worker pool (threads, prefork, solo)")
    p.add_argument("--worker-concurrency", type=int, default=0, help="worker pool size; 0: as many as callers")
    return p.parse_args()


def worker_command(args, queue):
    # The threads pool with one thread per caller: the task is a no-op, so a worker's time goes to Redis round trips
    # (fetch, ack, store and publish the result), which threads overlap inside one process, and no task ever queues
    # behind a busy pool. Measured here at c=50: threads -c 50, threads -c 8, prefork -c 2 and solo all did 350-390
    # jobs/s, within this machine's noise (the caller process, the worker and Redis share the 2 cores and fill them,
    # about 0.6 + 0.6 + 0.1 of a core, so a pool that spreads over more processes has no core to gain), but solo's
    # submit->start p50 was 3x the others' (it runs one task at a time); at c=1 all four were alike.
    n = args.worker_concurrency or max(1, args.concurrency)
    return [sys.executable, "-m", "celery", "-A", "noop_app", "worker", "-P", args.pool, "-c", str(n),
            "-Q", queue, "-n", f"flo-bench-{os.getpid()}@%h", "-l", "WARNING",
            # No cluster chatter: one worker, nothing to sync with or gossip to.
            "--without-gossip", "--without-mingle", "--without-heartbeat"]


def closed_loop(task, queue, callers, seconds, record):
    """Runs the loop for `seconds`; returns per-job (start latency, result latency) in seconds and the elapsed time."""
    samples = [[] for _ in range(callers)]
    errors = []
    begin = time.monotonic()
    deadline = begin + seconds

    def caller(i):
        out = samples[i]
        try:
            while time.monotonic() < deadline:
                submitted = time.time()
                started = task.apply_async(queue=queue).get(timeout=60)
                done = time.time()
                if record:
                    out.append((started - submitted, done - submitted))
        except Exception as e:  # noqa: BLE001 - reported to the C# side with the run's failure
            errors.append(repr(e))

    threads = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} caller(s) failed, first: {errors[0]}")
    return [s for per in samples for s in per], time.monotonic() - begin


def percentile_ms(sorted_seconds, q):
    # The same rank as the C# runners: element n*q of the sorted samples.
    if not sorted_seconds:
        return 0.0
    return sorted_seconds[min(len(sorted_seconds) - 1, int(len(sorted_seconds) * q))] * 1000.0


def main():
    args = parse_args()
    # No __pycache__ left in the repository by importing noop_app (here and in the worker, which inherits the variable).
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.environ["FLO_BENCH_REDIS_PORT"] = str(args.redis_port)
    os.environ["FLO_BENCH_CALLERS"] = str(args.concurrency)
    sys.path.insert(0, HERE)
    import celery
    from noop_app import noop

    # A queue of its own per run: nothing left over from an earlier run (or another bench on this Redis) is consumed.
    queue = f"flo-bench-{uuid.uuid4().hex[:12]}"
    worker = subprocess.Popen(worker_command(args, queue), cwd=HERE, env=os.environ.copy(),
                              stdout=sys.stderr, stderr=sys.stderr)
    try:
        # The first result says the worker is up and consuming.
        noop.apply_async(queue=queue).get(timeout=120)
        closed_loop(noop, queue, args.concurrency, args.warmup, record=False)
        samples, elapsed = closed_loop(noop, queue, args.concurrency, args.seconds, record=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    start = sorted(s for s, _ in samples)
    result = sorted(r for _, r in samples)
    print(json.dumps({
        "name": f"peer: celery {celery.__version__} (redis, {args.pool})",
        "concurrency": args.concurrency,
        "jobs": len(samples),
        "elapsed_seconds": elapsed,
        "start_p50_ms": percentile_ms(start, 0.50),
        "start_p99_ms": percentile_ms(start, 0.99),
        "result_p50_ms": percentile_ms(result, 0.50),
        "result_p99_ms": percentile_ms(result, 0.99),
    }), flush=True)


if __name__ == "__main__":
    main()
