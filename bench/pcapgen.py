"""Benchmark traffic: 64-byte Ethernet frames (60 bytes + FCS on the wire)
carrying IPv4/UDP, written as a pcap file. Standard library only."""
import struct


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip_bytes(ip):
    return bytes(int(x) for x in ip.split("."))


def ipv4_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, ttl=64, size=60):
    """An Ethernet/IPv4/UDP frame of `size` bytes (without FCS)."""
    payload = b"\x00" * (size - 14 - 20 - 8)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, ttl, 17, 0,
                     ip_bytes(src_ip), ip_bytes(dst_ip))
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)))
            f.write(fr)


def flows(src_mac, dst_mac, src_ip, dst_net, n_flows=1024, n_hosts=200):
    """n_flows UDP flows from src_ip to hosts .2 .. .(n_hosts+1) of the /24
    dst_net ("10.0.1"), each with its own source port."""
    return [udp_frame(src_mac, dst_mac, src_ip, "%s.%d" % (dst_net, 2 + i % n_hosts), 10000 + i, 5201)
            for i in range(n_flows)]
