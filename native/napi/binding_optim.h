// N-API wrappers of the optimizer updates (optim.h): argument checks, then the call. The addon
// class in binding.cc registers them; `wide_loops` picks the AVX2 build of the loops.
#ifndef NATIVE_MLP_BINDING_OPTIM_H
#define NATIVE_MLP_BINDING_OPTIM_H

#include <napi.h>

namespace nmlp_binding {

// momentumUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov)
Napi::Value MomentumUpdate(const Napi::CallbackInfo& info, bool wide_loops);
// adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info, bool wide_loops);

}  // namespace nmlp_binding

#endif
