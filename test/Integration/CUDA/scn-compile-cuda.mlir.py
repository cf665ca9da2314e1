"""Reads an scn-compile --target=cuda artifact without running it: the
manifest's target, and for every embedded kernel image (symbol
<kernel>_binary) the fat binary header and the images inside it (CUDA's
fatbin layout: a 16-byte header, then entries with a kind (1 PTX, 2 ELF)
and an sm_XX architecture)."""

import json
import struct
import subprocess
import sys

path = sys.argv[1]
data = open(path, "rb").read()
start = data.rindex(b"{", 0, data.index(b'"format":"scn-compile/1"'))
manifest = json.loads(data[start:data.index(b"\0", start)])
print("target", manifest["target"])

# Symbol table: <kernel>_binary objects and their file offsets.
symbols = subprocess.run(["nm", "-S", path], capture_output=True, text=True).stdout
sections = subprocess.run(["readelf", "-S", "-W", path], capture_output=True,
                          text=True).stdout
# (address, file offset, size) of every section, to find a symbol's bytes.
layout = []
for line in sections.splitlines():
    fields = line.replace("[ ", "[").split()
    if len(fields) > 5 and fields[0].startswith("[") and fields[2] == "PROGBITS":
        layout.append((int(fields[3], 16), int(fields[4], 16), int(fields[5], 16)))


def file_offset(addr):
    for base, offset, size in layout:
        if base <= addr < base + size:
            return addr - base + offset
    raise ValueError(hex(addr))



kernels = fat = 0
counts = {}
for line in symbols.splitlines():
    fields = line.split()
    if len(fields) != 4 or not fields[3].endswith("_binary"):
        continue
    kernels += 1
    addr, size = int(fields[0], 16), int(fields[1], 16)
    blob = data[file_offset(addr):][:size]
    magic, _, header_size, body_size = struct.unpack_from("<IHHQ", blob)
    if magic != 0xBA55ED50:
        continue
    fat += 1
    at = header_size
    while at < header_size + body_size:
        kind, _, entry_header, entry_size = struct.unpack_from("<HHIQ", blob, at)
        arch = struct.unpack_from("<I", blob, at + 28)[0]
        name = f"sm_{arch} {'ptx' if kind == 1 else 'cubin'}"
        counts[name] = counts.get(name, 0) + 1
        at += entry_header + entry_size
print("kernels", kernels)
print("fat binaries", fat)
for name in sorted(counts):
    print(name, counts[name])
