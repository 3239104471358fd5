#!/usr/bin/env python3
"""Regenerate the golden NumPy fixtures for test/rng.test.ts.

Usage (from the repository root; needs Python 3 with NumPy >= 1.17, any 2.x is fine):

    python3 scripts/gen-rng-fixtures.py            # writes test/fixtures/rng/
    python3 scripts/gen-rng-fixtures.py OUT_DIR    # or somewhere else

The tests themselves never need Python; they only read the files written here:

    rng.json                 small values (raw uint64 draws, normals as float64
                             bit patterns, permutations, SHA-256 digests, ...)
    notebook-W1.f32.bin      W1 = rng.normal(0, 0.02, (784, 128)).astype(float32), LE
    notebook-W2.f32.bin      W2 = rng.normal(0, 0.02, (128, 10)).astype(float32), LE
    notebook-perm-epoch1.u32.bin   idx = rng.permutation(60000) (1st epoch), uint32 LE
    notebook-perm-epoch2.u32.bin   the 2nd epoch's permutation, uint32 LE
    log1p.f64.bin            pairs (x, log1p(x)) from this machine's C library, f64 LE

Everything is produced with np.random.default_rng(seed), exactly as the
notebook does it (rng = default_rng(0); W1; W2; then one permutation(60000)
per epoch from the same rng).

Platform note: NumPy's ziggurat tail calls the C library's log1p. On x86_64
Linux, recent glibc picks an FMA-compiled log1p on CPUs with FMA+AVX2, which
rounds differently from the plain build in ~0.03% of cases. This script
detects which one the local libm is and records it as "log1p_flavor" so the
tests select the matching implementation. Generate fixtures on x86_64 Linux.
"""

import ctypes
import ctypes.util
import hashlib
import json
import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "test", "fixtures", "rng")

ZIGGURAT_NOR_R = 3.6541528853610087963519472518


def f64_bits(a):
    """float64 values -> list of 16-digit hex strings of their IEEE bit patterns."""
    a = np.ascontiguousarray(np.asarray(a, dtype="<f8"))
    return ["%016x" % int(v) for v in a.view("<u8")]


def seed_json(seed):
    # JSON numbers stay exact below 2^53; larger seeds are written as strings
    # and read back as bigint by the test.
    return seed if seed < 2**53 else str(seed)


def per_seed(seed):
    pcg = np.random.PCG64(seed)
    st = pcg.state["state"]
    raw = pcg.random_raw(8)
    rec = {
        "seed": seed_json(seed),
        "state_after_seeding": {"state": str(st["state"]), "inc": str(st["inc"])},
        "raw_uint64": [str(int(v)) for v in raw],
    }
    rng = np.random.default_rng(seed)
    rec["standard_normal_bits"] = f64_bits(rng.standard_normal(20))
    rng = np.random.default_rng(seed)
    rec["random_bits"] = f64_bits(rng.random(5))
    rng = np.random.default_rng(seed)
    rec["permutation10"] = [int(v) for v in rng.permutation(10)]
    # A permutation after an odd number of 32-bit draws checks the uint32 buffer.
    rng = np.random.default_rng(seed)
    rec["permutation_sequence"] = {
        "sizes": [7, 5, 1, 0, 33],
        "values": [[int(v) for v in rng.permutation(n)] for n in (7, 5, 1, 0, 33)],
        "then_raw_uint64": str(int(rng.bit_generator.random_raw())),
        "then_state": {
            "state": str(rng.bit_generator.state["state"]["state"]),
            "has_uint32": int(rng.bit_generator.state["has_uint32"]),
            "uinteger": int(rng.bit_generator.state["uinteger"]),
        },
    }
    return rec


def normals_digest(seed, count):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(count)
    tail = int(np.count_nonzero(np.abs(z) >= ZIGGURAT_NOR_R))
    return {
        "seed": seed,
        "count": count,
        "sha256_f64le": hashlib.sha256(z.astype("<f8").tobytes()).hexdigest(),
        "tail_count": tail,
        "last_bits": f64_bits(z[-3:]),
    }


# Inputs where glibc's plain and FMA log1p builds round differently:
# (x, plain result, fma result), as float.hex strings.
LOG1P_PROBES = [
    ("-0x1.0f2060f91605cp-3", "-0x1.22d54448536dfp-3", "-0x1.22d54448536e0p-3"),
    ("-0x1.bcada4900d91cp-3", "-0x1.f5527298ecf6fp-3", "-0x1.f5527298ecf6ep-3"),
    ("-0x1.29fcf74d406e8p-2", "-0x1.6028c12f361bap-2", "-0x1.6028c12f361b9p-2"),
    ("-0x1.22ce3bc3bb762p-2", "-0x1.5614114b3eed3p-2", "-0x1.5614114b3eed2p-2"),
]


def libm_log1p():
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    libm = ctypes.CDLL(name)
    fn = libm.log1p
    fn.restype = ctypes.c_double
    fn.argtypes = [ctypes.c_double]
    return fn


def detect_log1p_flavor(fn):
    if fn is None:
        return "unknown"
    plain = fma = 0
    for x, p, f in LOG1P_PROBES:
        y = fn(float.fromhex(x))
        plain += y == float.fromhex(p)
        fma += y == float.fromhex(f)
    if fma == len(LOG1P_PROBES):
        return "glibc-fma"
    if plain == len(LOG1P_PROBES):
        return "glibc-sse2"
    return "unknown"


def main():
    os.makedirs(OUT, exist_ok=True)

    def write(name, arr, dtype):
        a = np.ascontiguousarray(np.asarray(arr).astype(dtype))
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(a.tobytes())
        return {"file": name, "dtype": np.dtype(dtype).str, "shape": list(a.shape)}

    # --- the notebook, verbatim -------------------------------------------
    rng = np.random.default_rng(0)
    W1 = rng.normal(0, 0.02, size=(784, 128)).astype(np.float32)
    W2 = rng.normal(0, 0.02, size=(128, 10)).astype(np.float32)
    idx1 = rng.permutation(60000)
    idx2 = rng.permutation(60000)
    after = rng.bit_generator.state
    notebook = {
        "seed": 0,
        "loc": 0.0,
        "scale": 0.02,
        "W1": write("notebook-W1.f32.bin", W1, "<f4"),
        "W2": write("notebook-W2.f32.bin", W2, "<f4"),
        "perm_epoch1": write("notebook-perm-epoch1.u32.bin", idx1, "<u4"),
        "perm_epoch2": write("notebook-perm-epoch2.u32.bin", idx2, "<u4"),
        "W1_sha256": hashlib.sha256(W1.astype("<f4").tobytes()).hexdigest(),
        "state_after": {
            "state": str(after["state"]["state"]),
            "has_uint32": int(after["has_uint32"]),
            "uinteger": int(after["uinteger"]),
        },
        # Float64 values before the float32 cast, first few, to pin loc + scale * z.
        "W1_f64_first_bits": f64_bits(np.random.default_rng(0).normal(0, 0.02, size=8)),
    }

    # --- log1p reference values from the local C library -------------------
    fn = libm_log1p()
    flavor = detect_log1p_flavor(fn)
    log1p_ref = None
    if fn is not None:
        g = np.random.default_rng(2024)
        # -U with U exactly as next_double makes it (k * 2^-53): the tail's inputs.
        xs = -(g.integers(0, 2**53, size=8192, dtype=np.uint64).astype(np.float64) * 2.0**-53)
        ys = np.array([fn(float(x)) for x in xs])
        log1p_ref = write("log1p.f64.bin", np.stack([xs, ys], axis=1), "<f8")

    data = {
        "generated_by": "scripts/gen-rng-fixtures.py",
        "numpy_version": np.__version__,
        "python": platform.python_version(),
        "platform": "%s %s %s" % (platform.system(), platform.machine(), " ".join(platform.libc_ver())),
        "log1p_flavor": flavor,
        "log1p": log1p_ref,
        "notebook": notebook,
        "seeds": [per_seed(s) for s in (0, 1, 42, 12345, 2**32, 2**40, 2**53, 2**64 + 7, 2**200 + 12345)],
        "normals_digest": [normals_digest(0, 200000), normals_digest(12345, 1000000)],
    }
    with open(os.path.join(OUT, "rng.json"), "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("wrote %s (%d bytes total), log1p flavor: %s" % (OUT, total, flavor))


if __name__ == "__main__":
    main()
