#pragma once
// A freshly initialised classification head starts from the labels' prior: classifier.bias[l] =
// log(p_l / (1 - p_l)), p_l the share of training examples carrying label l.
//
// Why: with a zero bias every sigmoid starts at 0.5 while most labels are rare, so the first
// steps' large, input-independent gradient is spent learning that prior. From scratch the
// pooled [CLS] vector barely depends on the input at initialisation, so that gradient flows
// into the pooler and classifier weights too, drives the pooler's tanh into saturation, and the
// model ends up predicting the prior for every paper (measured: bert-tiny, 20,000 papers, 64
// tokens, 1,052 steps: validation loss 0.0398 = the prior's, micro-F1 0; with this bias: 0.567
// micro-F1 after 600 steps). The same start is what focal-loss detectors and HF-style recipes
// for imbalanced multi-label heads use; it changes no shape or name, so the model stays an HF
// checkpoint.
#include <span>
#include <vector>

#include "data/dataset.h"
#include "model/parameters.h"

namespace greenbert {

// log(p_l / (1 - p_l)) for each of `labels` labels, p_l smoothed by half an example.
std::vector<float> label_prior_logits(std::span<const Example> train, size_t labels);

// Sets `params`' classifier.bias (labels) from the label frequencies of `train`, smoothed by
// half an example so that no label gets an infinite bias.
void init_head_bias_to_label_prior(ParameterBuffer& params, std::span<const Example> train);

}  // namespace greenbert
