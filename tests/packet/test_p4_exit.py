"""A P4 switch's loomd exits cleanly: DPDK 22.11's SWX control and
pipeline both freed the tables rebuilt whole at each commit (route_v4 and
route_v6, Loom's LPM type), and every P4 loomd printed "EAL: Error:
Invalid memory" twice at exit after reading the freed tables
(dataplane/p4/p4_switch.c: drop_shared_tables).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomharness as H  # noqa: E402

SWITCH = "leaf0"


class P4Exit(unittest.TestCase):
    def test_exit_frees_each_table_once(self):
        sr, loomd, _ = H.start_switch("loom-p4exit-", "p4exit", SWITCH,
                                      topo_text=lambda sr: H.leaf_pair_topology(sr, "p4exit", leaf0="pipeline: p4"))
        self.addCleanup(sr.cleanup)
        st = loomd.switch_stats(SWITCH)
        self.assertEqual(st.get("pipeline"), "p4", st)
        loomd.shutdown()
        with open(loomd.log_path) as f:
            log = f.read()
        self.assertIn("loomd: stopped after", log)
        self.assertNotIn("Invalid memory", log)
        self.assertNotIn("EAL: Error", log)


if __name__ == "__main__":
    unittest.main()
