"""The real-time worker under sustained load (runner/worker_priority.h):
generator hosts at line rate keep loomd's worker from ever idling. At
SCHED_RR the kernel's real-time throttling (sched_rt_runtime_us, 95 %)
stopped it for ~50 ms once a second (measured: bench/worker_stall.py);
the worker now pauses briefly after each slice of work instead. Judged on
loomd's own fidelity record: over 3 s of line rate the worker paused, and
no loop turn started 32 ms or more late (a throttled second shows one in
the 32-64 ms bucket). A run that lost fidelity otherwise is re-run once
(fx.judged: a busy machine), a second one fails.
"""
import os
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker-load.yaml")
WINDOW_S = 3.0


def status():
    import json
    return json.loads(fx.loomctl("status", "--json").stdout)


class WorkerUnderSustainedLoad(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down")

    def test_no_throttling_stall(self):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        st = status()
        if st["worker_priority"] == 0:
            self.skipTest("the worker runs at the fair scheduler here: %s" % st["worker_scheduling"])
        self.assertIn("pauses", st["worker_pause_plan"])
        time.sleep(1)  # the generators at their rates

        def attempt():
            before = status()
            time.sleep(WINDOW_S)
            after = status()
            grew = [a - b for a, b in zip(after["fidelity"]["late_hist_ms"], before["fidelity"]["late_hist_ms"])]
            print("\n%.0f s at line rate: %d pauses, %d idle sleeps, late turns by ms bucket %s"
                  % (WINDOW_S, after["worker_pauses"] - before["worker_pauses"],
                     after["idle_sleeps"] - before["idle_sleeps"], grew))
            # the load is sustained: the worker paused by itself
            self.assertGreater(after["worker_pauses"], before["worker_pauses"])
            stalls = sum(grew[5:])
            return None, ("%d loop turns 32 ms or more late (the throttled block is ~50 ms)" % stalls
                          if stalls else None)
        fx.judged(self, attempt, "worker under sustained load")


if __name__ == "__main__":
    unittest.main()
