"""`loomctl web` (docs/WEB.md) on the default fabric, read by a real
headless browser (Debian's chromium): with UDP h0 -> h2 flowing, the page
draws every switch and link, the links of the flow as loaded and no other,
with counters between two `loomctl stats --json` taken around the page's
sample; a switch's panel opens by URL; the server is read-only and answers
only loopback names. A screenshot is saved as
$LOOM_BUILD/test-artifacts/web-live.png."""
import http.client
import json
import os
import subprocess
import sys
import time
import unittest

import fabric as fx

sys.path.insert(0, os.path.join(fx.ROOT, "tests", "lib"))
from headless_browser import chromium, dom_elements  # noqa: E402

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
ARTIFACTS = os.path.join(fx.BUILD, "test-artifacts")
LOADED_UTIL = 0.01  # web.js: a link is drawn as loaded from 1% of its rate


def http_get(port, path, method="GET", host=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host} if host else {}
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


class WebPage(fx.FabricUp):
    TOPO = TOPO

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.web = subprocess.Popen([fx.LOOMCTL, "web", "--port", "0"], stdout=subprocess.PIPE, text=True)
        line = cls.web.stdout.readline()  # "loomctl web: http://127.0.0.1:PORT/ (...)"
        if not line.startswith("loomctl web: http://"):
            cls.web.kill()
            cls.web.wait()
            super().tearDownClass()
            raise AssertionError("loomctl web did not start: %r" % line)
        cls.url = line.split()[2]
        cls.port = int(cls.url.rsplit(":", 1)[1].strip("/"))
        cls.topology = json.loads(http_get(cls.port, "/api/topology")[1])

    @classmethod
    def tearDownClass(cls):
        cls.web.terminate()
        cls.web.wait(timeout=10)
        super().tearDownClass()

    def host(self, name):
        return next(h for h in self.hosts if h[0] == name)

    def test_page_under_traffic(self):
        """UDP at 400 Mb/s h0 -> h2 (4% of the 10G links): the page, its
        loaded links, its counters, leaf0's panel, a screenshot."""
        h2 = self.host("h2")
        fx.in_host("h2", "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        client = subprocess.Popen(["ip", "netns", "exec", "loom-h0", "iperf3", "-c", h2[2], "-u", "-b", "400M",
                                   "-l", "1400", "-t", "16"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # and pings to an address of leaf1's subnet that no host has: leaf1 drops them (no_route)
        nowhere = h2[2].rsplit(".", 1)[0] + ".200"
        pinger = subprocess.Popen(["ip", "netns", "exec", "loom-h1", "ping", "-q", "-i", "0.01", "-w", "16", nowhere],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # two samples of the server with traffic in both
            before = fx.stats()
            time.sleep(1.2)  # the server's next sample is after `before`
            els = dom_elements(self.url + "#switch=leaf0")
            after = fx.stats()
            os.makedirs(ARTIFACTS, exist_ok=True)
            shot = os.path.join(ARTIFACTS, "web-live.png")
            if os.path.exists(shot):
                os.unlink(shot)
            chromium(self.url + "#switch=leaf0", "--screenshot=" + shot, "--window-size=1500,680",
                     "--virtual-time-budget=4000")
            uplink = next(l["id"] for l in self.topology["links"]
                          if l["a"]["node"] == "leaf0" and l["b"]["node"] == self.spine_of(before, after))
            link_els = dom_elements(self.url + "#link=" + uplink)
        finally:
            client.wait(timeout=30)
            pinger.wait(timeout=30)
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG")
        print("screenshot: %s" % shot)

        body = next(a for t, a in els if t == "body")
        self.assertEqual(body.get("data-state"), "live")
        t_page = int(body["data-time-ns"])
        self.assertTrue(before["time_ns"] <= t_page <= after["time_ns"],
                        "the page's sample (%d) is between the two stats (%d, %d)"
                        % (t_page, before["time_ns"], after["time_ns"]))

        # every switch and link of the topology, and nothing else
        switches = {a["data-switch"]: a for t, a in els if t == "g" and "switch" in a.get("class", "").split()}
        links = {a["data-link"]: a for t, a in els if t == "line" and "data-link" in a}
        self.assertEqual(set(switches), {s["name"] for s in self.topology["switches"]})
        self.assertEqual(set(links), {l["id"] for l in self.topology["links"]})
        self.assertEqual((len(switches), len(links)), (6, 16))

        # counters: between the stats before and after the page's sample
        for name, a in switches.items():
            sb, sa = fx.switch(before, name), fx.switch(after, name)
            for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes"):
                v = int(a["data-" + k.replace("_", "-")])
                self.assertTrue(sb[k] <= v <= sa[k], "%s %s: page %d, stats %d .. %d" % (name, k, v, sb[k], sa[k]))

        # which links carried the flow, from loomctl's two stats
        dt = (after["time_ns"] - before["time_ns"]) / 1e9
        expected = set()
        for l in self.topology["links"]:
            for src, dst in ((l["a"], l["b"]), (l["b"], l["a"])):
                if src["kind"] == "switch":
                    k, end = "tx_bytes", src
                else:
                    k, end = "rx_bytes", dst
                d = fx.port(fx.switch(after, end["node"]), end["port"])[k] - \
                    fx.port(fx.switch(before, end["node"]), end["port"])[k]
                if d * 8 / dt >= LOADED_UTIL * l["rate_bps"]:
                    expected.add(l["id"])
                # the page's byte counters of the direction, bracketed too
                page = int(links[l["id"]]["data-%s-bytes" % ("ab" if src is l["a"] else "ba")])
                lo = fx.port(fx.switch(before, end["node"]), end["port"])[k]
                hi = fx.port(fx.switch(after, end["node"]), end["port"])[k]
                self.assertTrue(lo <= page <= hi, "%s: page %d bytes, stats %d .. %d" % (l["id"], page, lo, hi))
        # the flow's path: h0's link, one leaf0 uplink, the same spine's link to leaf1, h2's link
        self.assertEqual(len(expected), 4, "links carrying the flow: %s" % sorted(expected))
        self.assertIn("h0:0-leaf0:0", expected)
        self.assertIn("h2:0-leaf1:0", expected)
        up = [l for l in expected if l.startswith("leaf0:")]
        down = [l for l in expected if l.startswith("leaf1:")]
        self.assertEqual((len(up), len(down)), (1, 1), sorted(expected))
        self.assertEqual(up[0].split("-")[1].split(":")[0], down[0].split("-")[1].split(":")[0],
                         "up and down through the same spine")
        drawn = {i for i, a in links.items() if a["data-loaded"] == "1"}
        self.assertEqual(drawn, expected)
        for i in expected:
            self.assertGreater(float(links[i]["stroke-width"]), 2.0, i)
        for i in set(links) - expected:
            self.assertEqual(links[i]["stroke"], "#b8bcc4", i)

        # leaf0's panel, opened by URL: its ports and its ECMP group's members
        panel = next(a for t, a in els if t == "aside")
        self.assertEqual(panel.get("data-switch"), "leaf0")
        ports = {int(a["data-port"]) for t, a in els if t == "tr" and "data-port" in a}
        self.assertEqual(ports, {p["index"] for p in fx.switch(after, "leaf0")["ports"]})
        members = [a for t, a in els if t == "tr" and "data-member-port" in a]
        self.assertTrue(members, "leaf0's ECMP groups are shown")
        lb_b = fx.switch(before, "leaf0")["load_balancing"]["groups"]
        lb_a = fx.switch(after, "leaf0")["load_balancing"]["groups"]
        for a in members:
            g, p = int(a["data-group"]), int(a["data-member-port"])
            mb = next(m for x in lb_b if x["group"] == g for m in x["members"] if m["port"] == p)
            ma = next(m for x in lb_a if x["group"] == g for m in x["members"] if m["port"] == p)
            self.assertTrue(mb["bytes"] <= int(a["data-bytes"]) <= ma["bytes"])

        # drop marks: exactly at the ports whose drops grew in the page's
        # sample, and leaf1's no_route drops of the pings are among them
        grew = set()
        for i, (t, a) in enumerate(els):
            if t == "g" and "data-port-of" in a and int(a["data-d-drops"]) > 0:
                grew.add(a["data-port-of"])
                kids = []
                for t2, a2 in els[i + 1:]:
                    if t2 == "g":
                        break
                    kids.append(a2.get("class", ""))
                self.assertIn("mark drop", kids, a["data-port-of"])
        no_route = {"leaf1:%d" % p["index"] for p in fx.switch(after, "leaf1")["ports"]
                    if p["drops"].get("no_route", 0) > fx.port(fx.switch(before, "leaf1"), p["index"])["drops"].get("no_route", 0)}
        self.assertTrue(no_route, "the pings were dropped at leaf1")
        self.assertTrue(no_route & grew, "drop marks at %s, no_route drops at %s" % (sorted(grew), sorted(no_route)))

        # the link panel by URL: both directions over the last seconds
        panel = next(a for t, a in link_els if t == "aside")
        self.assertEqual(panel.get("data-link"), uplink)
        plot = next(a for t, a in link_els if t == "svg" and "plot" in a.get("class", ""))
        self.assertGreaterEqual(int(plot["data-samples"]), 3)
        self.assertEqual({a["data-direction"] for t, a in link_els if t == "polyline"}, {"ab", "ba"})

    @staticmethod
    def spine_of(before, after):
        """The spine that leaf0 sent the most bytes to between two stats."""
        leaf0 = (fx.switch(before, "leaf0"), fx.switch(after, "leaf0"))
        sent = {}
        for p in leaf0[1]["ports"]:
            if p["name"].startswith("spine"):
                sent[p["name"].split(":")[0]] = p["tx_bytes"] - fx.port(leaf0[0], p["index"])["tx_bytes"]
        return max(sent, key=sent.get)

    def routes(self, sw):
        return json.loads(http_get(self.port, "/api/routes?switch=" + sw)[1])

    def wait_route_state(self, sw, prefix, state, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            r = next(r for r in self.routes(sw)["routes"] if r["prefix"] == prefix)
            if r["state"] == state or time.monotonic() > deadline:
                self.assertEqual(r["state"], state, r)
                return r
            time.sleep(0.1)

    def test_down_member_shown_in_the_switch_panel(self):
        """leaf0's uplink to spine0 taken down: its group keeps spine1 only
        (a group of one, which load balancing no longer lists), and the
        panel still shows the group, with port 2 out of use as link down;
        spine0, which reaches leaf0 no more, shows the subnet withdrawn."""
        net = "10.0.1.0/24"
        fx.loomctl("link", "leaf0:2", "down")
        try:
            r = self.wait_route_state("leaf0", net, "repaired")
            els = dom_elements(self.url + "#switch=leaf0")
            spine = dom_elements(self.url + "#switch=spine0")
        finally:
            fx.loomctl("link", "leaf0:2", "up")
        self.wait_route_state("leaf0", net, "as_configured")
        panel = next(a for t, a in els if t == "aside")
        self.assertEqual(panel.get("data-switch"), "leaf0")
        out = [a for t, a in els if t == "tr" and "data-out-member-port" in a]
        self.assertIn(("2", "down", str(r["group"])),
                      {(a["data-out-member-port"], a["data-member-state"], a["data-group"]) for a in out})
        self.assertTrue(all(a.get("class") == "member-out" for a in out))
        # only the members the routes have out of use: never port 3 (spine1)
        self.assertEqual({a["data-out-member-port"] for a in out}, {"2"})
        groups = {a["data-group"] for t, a in els if t == "p" and "data-group" in a}
        self.assertIn(str(r["group"]), groups)
        withdrawn = next((a for t, a in spine if t == "p" and "data-withdrawn" in a), None)
        self.assertIsNotNone(withdrawn, "spine0's panel names the withdrawn subnet")
        self.assertIn("10.0.0.0/24", withdrawn["data-withdrawn"].split())
        # with the link back, no member is out of use
        els = dom_elements(self.url + "#switch=leaf0")
        self.assertEqual([a for t, a in els if t == "tr" and "data-out-member-port" in a], [])

    def test_read_only_and_bad_requests(self):
        status, body = http_get(self.port, "/api/stats", method="POST")
        self.assertEqual(status, 405)
        self.assertIn(b"read-only", body)
        self.assertEqual(http_get(self.port, "/api/stats", host="attacker.example:80")[0], 403)
        self.assertEqual(http_get(self.port, "/api/history?switch=nope&port=0")[0], 404)
        self.assertEqual(http_get(self.port, "/api/history?switch=leaf0&port=x")[0], 400)
        self.assertEqual(http_get(self.port, "/api/routes?switch=%22%7D")[0], 404)
        self.assertEqual(http_get(self.port, "/nothing")[0], 404)
        status, body = http_get(self.port, "/api/routes?switch=leaf0")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["switch"], "leaf0")
        time.sleep(2.2)
        status, body = http_get(self.port, "/api/history?switch=leaf0&port=2")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(json.loads(body)["samples"]), 1)
        # the page's files are served from loomctl itself
        status, body = http_get(self.port, "/")
        self.assertEqual(status, 200)
        self.assertIn(b"/web.js", body)
        self.assertNotIn(b"http://", body.replace(b"http://www.w3.org", b""))

    def test_bad_arguments(self):
        r = fx.loomctl("web", "--port", "70000", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--port", r.stderr)
        r = fx.loomctl("web", "--bind", "localhost", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--bind", r.stderr)
        r = fx.loomctl("web", "--port", str(self.port), check=False, timeout=10)
        self.assertEqual(r.returncode, 1, "the port is taken: an error, not a second server")
        self.assertIn("cannot listen", r.stderr)


if __name__ == "__main__":
    unittest.main()
