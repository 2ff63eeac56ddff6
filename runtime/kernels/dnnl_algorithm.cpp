// The op rows name oneDNN's algorithms with mnemo's DnnlAlg (ops/op_table.h) so that oneDNN's
// headers stay in the runtime; this is the one place that maps them to oneDNN's values.
#include "runtime/kernels/kernel.h"
#include "support/error.h"
#include "ops/op_table.h"

namespace mnemo {

dnnl::algorithm dnnlAlgorithm(DnnlAlg a) {
  using A = dnnl::algorithm;
  switch (a) {
    case DnnlAlg::None: break;
    case DnnlAlg::Relu: return A::eltwise_relu;
    case DnnlAlg::Tanh: return A::eltwise_tanh;
    case DnnlAlg::Elu: return A::eltwise_elu;
    case DnnlAlg::Square: return A::eltwise_square;
    case DnnlAlg::Abs: return A::eltwise_abs;
    case DnnlAlg::Sqrt: return A::eltwise_sqrt;
    case DnnlAlg::Linear: return A::eltwise_linear;
    case DnnlAlg::BoundedRelu: return A::eltwise_bounded_relu;
    case DnnlAlg::SoftRelu: return A::eltwise_soft_relu;
    case DnnlAlg::Logistic: return A::eltwise_logistic;
    case DnnlAlg::Exp: return A::eltwise_exp;
    case DnnlAlg::GeluTanh: return A::eltwise_gelu_tanh;
    case DnnlAlg::Swish: return A::eltwise_swish;
    case DnnlAlg::Log: return A::eltwise_log;
    case DnnlAlg::Clip: return A::eltwise_clip;
    case DnnlAlg::ClipV2: return A::eltwise_clip_v2;
    case DnnlAlg::Pow: return A::eltwise_pow;
    case DnnlAlg::GeluErf: return A::eltwise_gelu_erf;
    case DnnlAlg::Round: return A::eltwise_round;
    case DnnlAlg::Logsigmoid: return A::eltwise_logsigmoid;
    case DnnlAlg::Mish: return A::eltwise_mish;
    case DnnlAlg::Hardswish: return A::eltwise_hardswish;
    case DnnlAlg::Add: return A::binary_add;
    case DnnlAlg::Mul: return A::binary_mul;
    case DnnlAlg::Max: return A::binary_max;
    case DnnlAlg::Min: return A::binary_min;
    case DnnlAlg::Div: return A::binary_div;
    case DnnlAlg::Sub: return A::binary_sub;
    case DnnlAlg::GreaterEqual: return A::binary_ge;
    case DnnlAlg::Greater: return A::binary_gt;
    case DnnlAlg::LessEqual: return A::binary_le;
    case DnnlAlg::Less: return A::binary_lt;
    case DnnlAlg::Equal: return A::binary_eq;
    case DnnlAlg::NotEqual: return A::binary_ne;
  }
  MNEMO_CHECK(false, "no oneDNN algorithm for DnnlAlg " << static_cast<int>(a));
  return A::undef;
}

}  // namespace mnemo
