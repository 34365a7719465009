#!/usr/bin/python3
"""A pure-Python port of Hugging Face's slow BertTokenizer (transformers' tokenization_bert.py:
BasicTokenizer + WordpieceTokenizer + added-token splitting), used only to generate reference
ids for greenbert's tests. No transformers/tokenizers package is needed.

With --rules fast it applies, as switches on the same code, the differences of the fast Rust
tokenizer that greenbert follows (src/text/unicode_rules.h lists them): controls are Cc/Cf/Co
only, accents are stripped before lowercasing, lowercase is per character (no final sigma),
no NFC, the fast CJK ranges, Unicode White_Space.

  check     --vocab V --refs DIR         port vs the HF reference files (both rule sets)
  generate  --vocab V --csv F --out T    reference hashes for arXiv abstracts and titles
  show      --vocab V --csv F --record N --field summaries|titles   tokens of one text

The generated file holds no text, only (record, field, id count, FNV-1a 64 of the ids joined
by single spaces); the test reads the texts from ../shared/data/arxiv_data.csv.
"""
import argparse
import csv
import json
import sys
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_INPUT_CHARS_PER_WORD = 100


class BertReference:
    def __init__(self, vocab_path, fast, lowercase=True):
        with open(vocab_path, encoding="utf-8") as f:
            tokens = [line.rstrip("\n") for line in f]
        self.vocab = {token: index for index, token in enumerate(tokens)}  # last line wins
        self.ids_to_tokens = tokens
        self.fast = fast
        self.lowercase = lowercase
        self.specials = sorted((t for t in SPECIAL_TOKENS if t in self.vocab), key=len, reverse=True)

    # Character classes of tokenization_bert.py, with the fast rules as switches.
    def is_whitespace(self, char):
        if char in " \t\n\r":
            return True
        category = unicodedata.category(char)
        if self.fast:
            return category in ("Zs", "Zl", "Zp") or char in "\x0b\x0c\x85"
        return category == "Zs"

    def is_control(self, char):
        if char in "\t\n\r":
            return False
        category = unicodedata.category(char)
        if self.fast:
            return category in ("Cc", "Cf", "Co")
        return category.startswith("C")

    @staticmethod
    def is_punctuation(char):
        cp = ord(char)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(char).startswith("P")

    def is_chinese_char(self, cp):
        fifth_range_start = 0x2B920 if self.fast else 0x2B820
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F
                or fifth_range_start <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
                or 0x2F800 <= cp <= 0x2FA1F)

    def clean_text(self, text):
        out = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or self.is_control(char):
                continue
            out.append(" " if self.is_whitespace(char) else char)
        return "".join(out)

    def tokenize_chinese_chars(self, text):
        return "".join(f" {c} " if self.is_chinese_char(ord(c)) else c for c in text)

    @staticmethod
    def strip_accents(text):
        return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")

    def split_on_whitespace(self, text):
        if not self.fast:
            return text.split()
        words, current = [], []
        for char in text:
            if self.is_whitespace(char):
                if current:
                    words.append("".join(current))
                current = []
            else:
                current.append(char)
        if current:
            words.append("".join(current))
        return words

    def split_on_punctuation(self, token):
        output, start_new_word = [], True
        for char in token:
            if self.is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
        return ["".join(x) for x in output]

    def basic_tokenize(self, text):
        text = self.clean_text(text)
        text = self.tokenize_chinese_chars(text)
        if not self.fast:
            text = unicodedata.normalize("NFC", text)
        split_tokens = []
        for token in self.split_on_whitespace(text):
            if self.lowercase:
                if self.fast:
                    token = "".join(c.lower() for c in self.strip_accents(token))
                else:
                    token = self.strip_accents(token.lower())
            split_tokens.extend(self.split_on_punctuation(token))
        return self.split_on_whitespace(" ".join(split_tokens))

    def wordpiece(self, word):
        chars = list(word)
        if len(chars) > MAX_INPUT_CHARS_PER_WORD:
            return ["[UNK]"]
        start, pieces = 0, []
        while start < len(chars):
            end, piece = len(chars), None
            while start < end:
                candidate = "".join(chars[start:end])
                if start > 0:
                    candidate = "##" + candidate
                if candidate in self.vocab:
                    piece = candidate
                    break
                end -= 1
            if piece is None:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def tokens(self, text):
        """Pieces of `text` without [CLS]/[SEP]; special tokens in the text stay whole."""
        out, segment_start, at = [], 0, 0
        while at < len(text):
            match = next((s for s in self.specials if text.startswith(s, at)), None)
            if match is None:
                at += 1
                continue
            out.extend(self.segment_tokens(text[segment_start:at]))
            out.append(match)
            at += len(match)
            segment_start = at
        out.extend(self.segment_tokens(text[segment_start:]))
        return out

    def segment_tokens(self, text):
        return [piece for word in self.basic_tokenize(text) for piece in self.wordpiece(word)]

    def ids(self, text):
        return [self.vocab[t] for t in self.tokens(text)]


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def records(csv_path):
    with open(csv_path, encoding="utf-8", newline="") as f:
        yield from enumerate(csv.DictReader(f))


def check(args):
    refs = args.refs
    with open(f"{refs}/question_tokens.json", encoding="utf-8") as f:
        questions = json.load(f)
    with open(f"{refs}/tokenized_questions.json", encoding="utf-8") as f:
        question_ids = json.load(f)
    with open(f"{refs}/tokenizer_tests.json", encoding="utf-8") as f:
        edge_cases = json.load(f)["bert-base-uncased"]
    failures = 0
    for fast in (False, True):
        ref = BertReference(args.vocab, fast)
        bad = sum(ref.basic_tokenize(q["original"]) != q["basic"] or ref.ids(q["original"]) != ids
                  for q, ids in zip(questions, question_ids))
        bad += sum([ref.vocab["[CLS]"]] + ref.ids(c["input"]) + [ref.vocab["[SEP]"]]
                   != c["encoded"]["input_ids"] for c in edge_cases)
        print(f"{'fast' if fast else 'slow'} rules: {bad} mismatches over "
              f"{len(questions)} questions + {len(edge_cases)} edge cases")
        failures += bad
    return 1 if failures else 0


def generate(args):
    fast, slow = BertReference(args.vocab, True), BertReference(args.vocab, False)
    rows, differences = [], []
    for record, row in records(args.csv):
        for field in ("titles", "summaries"):
            text = row[field]
            non_ascii = any(ord(c) > 127 for c in text)
            if not non_ascii and record % args.ascii_every != 0:
                continue
            ids = fast.ids(text)
            rows.append(f"{record}\t{field}\t{len(ids)}\t{fnv1a64(' '.join(map(str, ids))):016x}")
            if slow.ids(text) != ids:
                differences.append((record, field))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/bert_tokenizer_reference.py generate (fast rules, "
                "bert-base-uncased-vocab.txt) from ../shared/data/arxiv_data.csv.\n")
        f.write("# record (0-based, after the header)\tfield\tid count\t"
                "FNV-1a 64 of the ids (no [CLS]/[SEP]) joined by single spaces\n")
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} texts written to {args.out}; slow and fast rules differ on "
          f"{len(differences)}: {differences[:20]}")
    return 0


def show(args):
    for record, row in records(args.csv):
        if record == args.record:
            for name, ref in (("fast", BertReference(args.vocab, True)),
                              ("slow", BertReference(args.vocab, False))):
                tokens = ref.tokens(row[args.field])
                print(f"{name}: {' '.join(tokens)}\n{name} ids: {' '.join(str(ref.vocab[t]) for t in tokens)}")
            return 0
    print(f"no record {args.record}", file=sys.stderr)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("check")
    p.add_argument("--vocab", required=True)
    p.add_argument("--refs", required=True)
    p.set_defaults(run=check)
    p = commands.add_parser("generate")
    p.add_argument("--vocab", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--ascii-every", type=int, default=40,
                   help="besides every text with non-ASCII characters, keep every Nth record")
    p.set_defaults(run=generate)
    p = commands.add_parser("show")
    p.add_argument("--vocab", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--record", type=int, required=True)
    p.add_argument("--field", choices=["titles", "summaries"], default="summaries")
    p.set_defaults(run=show)
    args = parser.parse_args()
    sys.exit(args.run(args))


if __name__ == "__main__":
    main()
