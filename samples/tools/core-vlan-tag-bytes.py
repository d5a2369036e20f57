#!/usr/bin/env python3
# link-types: how many frames of a classic pcap carry the given bytes from offset 12, their VLAN /
# QinQ tags (run by make-samples.sh): core-vlan-tag-bytes.py FILE HEX
import struct, sys
data, want = open(sys.argv[1], "rb").read(), bytes.fromhex(sys.argv[2])
end = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
pos, n = 24, 0
while pos + 16 <= len(data):
    incl = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
    n += data[pos + 16 + 12:pos + 16 + 12 + len(want)] == want
    pos += 16 + incl
print(n)
