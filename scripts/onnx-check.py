#!/usr/bin/env python3
"""Checks exported ONNX files with the ONNX project's own checker (optional; never run by the tests).

    python3 scripts/onnx-check.py m.onnx [more.onnx ...]

Runs onnx.checker.check_model(full_check=True) (schema, opset and type/shape inference) on each file
and prints its inputs and outputs. Needs the Python package onnx; exits 0 with a note when it is
not installed, 1 when a file fails the check.
"""
import sys

try:
    import onnx
except ImportError:
    print("onnx-check: the Python package onnx is not installed; nothing checked")
    sys.exit(0)

failed = 0
for path in sys.argv[1:]:
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker raises its own ValidationError and others
        failed += 1
        print(f"{path}: FAILED: {e}")
        continue
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    io = lambda vs: ", ".join(v.name for v in vs)
    print(f"{path}: ok (IR {model.ir_version}; {opsets}); inputs {io(model.graph.input)}; outputs {io(model.graph.output)}")
sys.exit(1 if failed else 0)
