"""Run the same action from many threads released at one barrier (concurrency tests)."""

import threading


def run_together(count, action):
    """Start ``count`` threads at one barrier; return their results in no particular order."""
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def worker(index):
        barrier.wait()
        outcome = action(index)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
