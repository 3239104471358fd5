// N-API wrappers of the weighted loss heads (weighted_loss.h): argument checks, then the call.
// The addon class in binding.cc registers them.
#ifndef NATIVE_MLP_BINDING_WEIGHTED_H
#define NATIVE_MLP_BINDING_WEIGHTED_H

#include <napi.h>

namespace nmlp_binding {

// softmaxXentGradWeighted(du, logits, labels, weights, rows, cols) -> summed weighted loss
Napi::Value SoftmaxXentGradWeighted(const Napi::CallbackInfo& info);
// mseGradWeighted(du, pred, target, weights, rows, cols) -> summed weighted loss
Napi::Value MseGradWeighted(const Napi::CallbackInfo& info);

}  // namespace nmlp_binding

#endif
