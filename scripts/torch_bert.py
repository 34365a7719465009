"""HF's BertForSequenceClassification and DistilBertForSequenceClassification in plain PyTorch
(transformers is not available here), with HF's parameter names, for golden data and for
benchmarks. forward(input_ids, attention_mask, token_type_ids) -> (logits, pooled, hidden);
dropout is active in training mode at HF's places.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class Bert(nn.Module):
    """BertForSequenceClassification (absolute positions, post-LN, erf GELU, tanh pooler)."""

    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        self.c = c
        self.bert = nn.Module()
        e = self.bert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(c["vocab_size"], H, padding_idx=c["pad_token_id"])
        e.position_embeddings = nn.Embedding(c["max_position_embeddings"], H)
        e.token_type_embeddings = nn.Embedding(c["type_vocab_size"], H)
        e.LayerNorm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
        self.bert.encoder = nn.Module()
        self.bert.encoder.layer = nn.ModuleList()
        for _ in range(c["num_hidden_layers"]):
            layer = nn.Module()
            layer.attention = nn.Module()
            s = layer.attention.self = nn.Module()
            s.query, s.key, s.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
            o = layer.attention.output = nn.Module()
            o.dense, o.LayerNorm = nn.Linear(H, H), nn.LayerNorm(H, eps=c["layer_norm_eps"])
            layer.intermediate = nn.Module()
            layer.intermediate.dense = nn.Linear(H, I)
            layer.output = nn.Module()
            layer.output.dense = nn.Linear(I, H)
            layer.output.LayerNorm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
            self.bert.encoder.layer.append(layer)
        self.bert.pooler = nn.Module()
        self.bert.pooler.dense = nn.Linear(H, H)
        self.classifier = nn.Linear(H, len(c["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids):
        c, e = self.c, self.bert.embeddings
        B, S = input_ids.shape
        heads = c["num_attention_heads"]
        D = c["hidden_size"] // heads
        positions = torch.arange(S).unsqueeze(0).expand(B, S)
        x = e.word_embeddings(input_ids) + e.token_type_embeddings(token_type_ids)
        x = self.drop(e.LayerNorm(x + e.position_embeddings(positions)), "hidden")
        # HF's extended attention mask: (1 - mask) * finfo.min added to the scores.
        additive = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        split = lambda t: t.view(B, S, heads, D).permute(0, 2, 1, 3)
        for layer in self.bert.encoder.layer:
            s = layer.attention.self
            q, k, v = split(s.query(x)), split(s.key(x)), split(s.value(x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(D) + additive
            probs = self.drop(F.softmax(scores, dim=-1), "attention")
            context = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, S, heads * D)
            o = layer.attention.output
            a = o.LayerNorm(self.drop(o.dense(context), "hidden") + x)
            f = F.gelu(layer.intermediate.dense(a))
            x = layer.output.LayerNorm(self.drop(layer.output.dense(f), "hidden") + a)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return self.classifier(self.drop(pooled, "head")), pooled, x

    def drop(self, x, site):
        c = self.c
        p = {"hidden": c["hidden_dropout_prob"], "attention": c["attention_probs_dropout_prob"],
             "head": c["classifier_dropout"] if c["classifier_dropout"] is not None
             else c["hidden_dropout_prob"]}[site]
        return F.dropout(x, p, self.training)


class DistilBert(nn.Module):
    """DistilBertForSequenceClassification (no token types, ReLU pre_classifier head)."""

    def __init__(self, c):
        super().__init__()
        H, I = c["dim"], c["hidden_dim"]
        self.c = c
        self.distilbert = nn.Module()
        e = self.distilbert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(c["vocab_size"], H, padding_idx=c["pad_token_id"])
        e.position_embeddings = nn.Embedding(c["max_position_embeddings"], H)
        e.LayerNorm = nn.LayerNorm(H, eps=1e-12)
        self.distilbert.transformer = nn.Module()
        self.distilbert.transformer.layer = nn.ModuleList()
        for _ in range(c["n_layers"]):
            layer = nn.Module()
            a = layer.attention = nn.Module()
            a.q_lin, a.k_lin, a.v_lin, a.out_lin = (nn.Linear(H, H) for _ in range(4))
            layer.sa_layer_norm = nn.LayerNorm(H, eps=1e-12)
            layer.ffn = nn.Module()
            layer.ffn.lin1, layer.ffn.lin2 = nn.Linear(H, I), nn.Linear(I, H)
            layer.output_layer_norm = nn.LayerNorm(H, eps=1e-12)
            self.distilbert.transformer.layer.append(layer)
        self.pre_classifier = nn.Linear(H, H)
        self.classifier = nn.Linear(H, len(c["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        c, e = self.c, self.distilbert.embeddings
        B, S = input_ids.shape
        heads = c["n_heads"]
        D = c["dim"] // heads
        positions = torch.arange(S).unsqueeze(0).expand(B, S)
        x = self.drop(e.LayerNorm(e.word_embeddings(input_ids) + e.position_embeddings(positions)),
                      "hidden")
        masked = (attention_mask == 0)[:, None, None, :]
        split = lambda t: t.view(B, S, heads, D).transpose(1, 2)
        for layer in self.distilbert.transformer.layer:
            a = layer.attention
            q = split(a.q_lin(x)) / math.sqrt(D)
            k, v = split(a.k_lin(x)), split(a.v_lin(x))
            scores = torch.matmul(q, k.transpose(2, 3))
            scores = scores.masked_fill(masked, torch.finfo(scores.dtype).min)
            probs = self.drop(F.softmax(scores, dim=-1), "attention")
            context = torch.matmul(probs, v).transpose(1, 2).reshape(B, S, heads * D)
            sa = layer.sa_layer_norm(a.out_lin(context) + x)  # no dropout here in DistilBERT
            f = self.drop(layer.ffn.lin2(F.gelu(layer.ffn.lin1(sa))), "hidden")
            x = layer.output_layer_norm(f + sa)
        pooled = F.relu(self.pre_classifier(x[:, 0]))
        return self.classifier(self.drop(pooled, "head")), pooled, x

    def drop(self, x, site):
        c = self.c
        p = {"hidden": c["dropout"], "attention": c["attention_dropout"],
             "head": c["seq_classif_dropout"]}[site]
        return F.dropout(x, p, self.training)
