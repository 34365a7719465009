#pragma once
// The precision a model trains or runs at: one enum, one name table, one parse, and one
// spelling wherever a user meets it (CLI flags, JSON, study directories, safetensors metadata).
//
//   fp32  float32 everything
//   bf16  bfloat16 GEMM operands (weights and activations), float32 accumulation; in training
//         fp32 master weights, in inference bf16 weights in the model file
//   int8  int8 weights (symmetric per output channel) × int8 activations (per token or
//         calibrated, u8 or s8: ActivationType), int32 accumulation; inference only
//
// Each user of a precision says which ones it supports (training GEMMs and attention: fp32 and
// bf16). GemmType (infer/packed_gemm.h) is another concept: the operand types of one GEMM call
// (f32, bf16, u8s8, s8s8), which follow from the model's precision, its activation type and what
// the CPU multiplies exactly; a user never names it.
//
// Files written before this vocabulary spelled fp32 "f32" (train --precision, study
// directories, safetensors metadata) and baseline records "float32": they are still read.
#include <cstdint>
#include <string_view>

namespace greenbert {

enum class Precision : uint8_t { fp32, bf16, int8 };

inline constexpr Precision kPrecisions[] = {Precision::fp32, Precision::bf16, Precision::int8};

// "fp32" / "bf16" / "int8".
const char* precision_name(Precision precision);
// One of the names above or an old spelling ("f32", "float32"). Throws greenbert::Error
// "<what>: unknown precision 'X' (fp32, bf16 or int8)".
Precision parse_precision(std::string_view name, std::string_view what = "precision");

// The int8 precision's activation codes: s8 symmetric, u8 asymmetric with a zero point.
enum class ActivationType : uint8_t { s8, u8 };

std::string_view activation_type_name(ActivationType type);  // "s8" / "u8"
// Throws greenbert::Error "<what>: unknown activation type 'X' (u8 or s8)".
ActivationType parse_activation_type(std::string_view name,
                                     std::string_view what = "activation type");

}  // namespace greenbert
