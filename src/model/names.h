#pragma once
// Pure mappings between tensor names found in checkpoints and the model's canonical names
// (HF BERT names, see model/parameters.h), for the checkpoint loader and writer.
//
// BERT: HF names as is; legacy names too: no "bert." prefix (BertModel saved on its own) and
// TF-era "LayerNorm.gamma" / "LayerNorm.beta".
// DistilBERT (canonical ↔ HF):
//   bert.embeddings.{word_embeddings,position_embeddings,LayerNorm}  ↔ distilbert.embeddings.*
//   bert.encoder.layer.N.attention.self.{query,key,value}           ↔
//   distilbert.transformer.layer.N.attention.{q_lin,k_lin,v_lin}
//   bert.encoder.layer.N.attention.output.dense                      ↔ ...attention.out_lin
//   bert.encoder.layer.N.attention.output.LayerNorm                  ↔ ...sa_layer_norm
//   bert.encoder.layer.N.intermediate.dense / output.dense           ↔ ...ffn.lin1 / ffn.lin2
//   bert.encoder.layer.N.output.LayerNorm                            ↔ ...output_layer_norm
//   bert.pooler.dense                                                ↔ pre_classifier
//   classifier                                                       ↔ classifier
//   cls.predictions.transform.dense / .LayerNorm                     ↔ vocab_transform /
//   vocab_layer_norm cls.predictions.bias                                             ↔
//   vocab_projector.bias
// (DistilBertModel saved on its own, without the "distilbert." prefix, is accepted too.)
#include <optional>
#include <string>
#include <string_view>

#include "model/config.h"

namespace greenbert {

// The canonical name of a checkpoint tensor, or nullopt when the name is not one of the model's
// parameters (see also is_ignored_checkpoint_tensor). The layer number is not range-checked:
// look the result up in the ParameterLayout.
std::optional<std::string> canonical_name(std::string_view checkpoint_name, ModelType type);

// The name HF uses for a canonical parameter in a checkpoint of `type`. Throws greenbert::Error
// for names that do not exist in that family (token_type_embeddings in DistilBERT).
std::string checkpoint_name(std::string_view canonical, ModelType type);

// Tensors real checkpoints carry that are not parameters of any greenbert model and may be
// skipped without a warning: position_ids / token_type_ids buffers, the MLM decoder's tied
// copies (cls.predictions.decoder.*, vocab_projector.weight), next-sentence prediction
// (cls.seq_relationship.*), TinyBERT's distillation fit_denses.
bool is_ignored_checkpoint_tensor(std::string_view checkpoint_name, ModelType type);

// Whether a canonical name belongs to the masked-language-model head, which only layouts built
// with LayoutOptions::masked_lm_head have: a classifier loading a pre-trained checkpoint skips
// these.
bool is_masked_lm_tensor(std::string_view canonical);

}  // namespace greenbert
