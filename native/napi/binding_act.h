// N-API wrappers of the activation kernels (activation.h) and dropout (dropout.h): argument checks, then the
// call. The addon class in binding.cc registers them.
#ifndef NATIVE_MLP_BINDING_ACT_H
#define NATIVE_MLP_BINDING_ACT_H

#include <napi.h>

namespace nmlp_binding {

// biasAct(h, u, bias, rows, cols, act)
Napi::Value BiasAct(const Napi::CallbackInfo& info);
// actBackward(dx, dy, u, h, n, act)
Napi::Value ActBackward(const Napi::CallbackInfo& info);
// dropout(out, x, n, p, key0, key1)
Napi::Value Dropout(const Napi::CallbackInfo& info);

}  // namespace nmlp_binding

#endif
