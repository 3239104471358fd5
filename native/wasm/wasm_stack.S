# Per-instance state of the WASM build that C cannot express: every worker thread instantiates
# the module over the same shared memory, and each instance needs its own stack (the linker gives
# every instance the same initial __stack_pointer) and its own packing workspace. Both live in
# WebAssembly globals, which are per instance, unlike anything in linear memory.

  .globaltype __stack_pointer, i32

# nmlp_set_stack(top): points this instance's stack at a region the loader allocated (workers).
  .globl nmlp_set_stack
  .export_name nmlp_set_stack, nmlp_set_stack
  .type nmlp_set_stack,@function
nmlp_set_stack:
  .functype nmlp_set_stack (i32) -> ()
  local.get 0
  global.set __stack_pointer
  end_function

# This instance's Workspace* (0 until wasm_runtime.cc creates it on first use).
  .globaltype nmlp_instance_ws, i32
nmlp_instance_ws:

  .globl nmlp_get_instance_ws
  .type nmlp_get_instance_ws,@function
nmlp_get_instance_ws:
  .functype nmlp_get_instance_ws () -> (i32)
  global.get nmlp_instance_ws
  end_function

  .globl nmlp_set_instance_ws
  .type nmlp_set_instance_ws,@function
nmlp_set_instance_ws:
  .functype nmlp_set_instance_ws (i32) -> ()
  local.get 0
  global.set nmlp_instance_ws
  end_function
