"""A cell fabric's VOQs follow `tm set` on the leaf they lead to
(dataplane/cell/cell_voq_cc.c cell_voq_cc_follow_tm). The VOQs at leaf1..3
toward h0's port on leaf0 stand in for that port's queue and take its
class's ECN thresholds (raised by the port's bytes of one fabric round
trip) and trimming when they are made; before, a later `tm set leaf0 ...`
changed the port and left the VOQs, already made, as they were.

cell.yaml (h1..h3 -> h0, real time): once the VOQs exist, `tm show leaf0`
lists them ("cell_voqs"); `tm set leaf0 ecn.k 60000` moves every VOQ's k
to 60000 + its round trip's bytes, and `tm set leaf0 trim.classes 0`
makes them trim. Judged on loomd's own settings, no timing."""
import json
import os
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cell.yaml")
SOCK = "/run/loom/loomd.sock"


def tm(op, **kw):
    r = fx.request(SOCK, (json.dumps(dict(cmd="tm", op=op, switch="leaf0", **kw)) + "\n").encode())
    assert r and r.get("ok"), r
    return r["result"]


class CellVoqFollowsTm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        cls.addClassCleanup(fx.loomctl, "down")
        deadline = time.monotonic() + 10
        while len(tm("show").get("cell_voqs", [])) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)  # the incast's first packets make the VOQs
        cls.before = tm("show")
        cls.after_k = tm("set", key="ecn.k", value="60000")
        cls.after_trim = tm("set", key="trim.classes", value="0")

    def port_k(self, show, port):
        return next(p for p in show["ports"] if p["index"] == port)["classes"][0]["k"]

    def test_voqs_of_the_three_senders_listed(self):
        voqs = self.before["cell_voqs"]
        self.assertEqual(sorted(v["at"] for v in voqs), ["leaf1", "leaf2", "leaf3"], voqs)
        for v in voqs:
            self.assertEqual(v["ecn_mode"], "step", v)
            self.assertGreater(v["k"], self.port_k(self.before, v["port"]), v)  # + the round trip's bytes
            self.assertFalse(v["trim"], v)

    def test_voqs_take_the_new_ecn_threshold(self):
        rtt = {v["at"]: v["k"] - self.port_k(self.before, v["port"]) for v in self.before["cell_voqs"]}
        for v in self.after_k["cell_voqs"]:
            self.assertEqual(self.port_k(self.after_k, v["port"]), 60000)
            self.assertEqual(v["k"], 60000 + rtt[v["at"]], v)

    def test_voqs_take_trimming(self):
        self.assertEqual(len(self.after_trim["cell_voqs"]), 3)
        for v in self.after_trim["cell_voqs"]:
            self.assertTrue(v["trim"], v)


if __name__ == "__main__":
    unittest.main()
