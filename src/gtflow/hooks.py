"""What the Snakefile runs in Snakemake's own process when a run ends (``onsuccess``,
``onerror``)."""

from __future__ import annotations

import threading

#: Where Snakemake's job scheduler makes the timer that wakes it again after its job-rate limit's
#: timespan (one second by default).
SCHEDULER_TIMER = "JobScheduler._schedule_reevalutation."


def cancel_scheduler_timers() -> int:
    """Cancel the scheduler's wake-up timers that are still waiting; return how many.

    Snakemake's scheduler starts a :class:`threading.Timer` each time it waits for jobs; the last
    one still runs when the workflow has ended, and Python waits for it before the process exits:
    up to a second added to every run. Its only action is to wake the scheduler, which has
    finished by the time ``onsuccess`` or ``onerror`` runs. Other timers are left alone.
    """
    timers = [thread for thread in threading.enumerate()
              if isinstance(thread, threading.Timer) and thread.is_alive()
              and getattr(thread.function, "__qualname__", "").startswith(SCHEDULER_TIMER)]
    for timer in timers:
        timer.cancel()
    return len(timers)
