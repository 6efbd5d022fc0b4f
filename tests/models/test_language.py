"""Character-level language model with tied embeddings: the embedded corpus, vocabulary, batching, the tied
gradient paths, learning on a repetitive string, and bits per character."""

import hashlib
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.data import text as textdata
from neurosim.errors import ValidationError
from neurosim.models.language import CharLM, bits_per_char, evaluate, make_optimizer, make_train_step

REPEAT = "the cat sat on the mat. " * 40


def test_embedded_corpus_and_vocab_round_trip():
    text = textdata.load_text("shakespeare")
    assert len(text) == 112_000
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == textdata.SHA256["shakespeare"]
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    vocab = textdata.CharVocab(text)
    assert list(vocab.chars) == sorted(set(text)) and len(vocab) == 61
    ids = vocab.encode(text[:5000])
    assert ids.dtype == np.int32 and ids.min() >= 0 and ids.max() < len(vocab)
    assert vocab.decode(ids) == text[:5000]
    assert vocab.decode(vocab.encode("")) == ""


def test_unknown_character_and_bad_ids_raise():
    vocab = textdata.CharVocab("abc ")
    with pytest.raises(ValidationError, match="not in the vocabulary"):
        vocab.encode("abz")
    with pytest.raises(ValidationError):
        vocab.decode([0, 4])
    with pytest.raises(ValidationError):
        textdata.CharVocab("")
    with pytest.raises(ValidationError):
        textdata.load_text("no-such-corpus")


def test_split_batches_and_eval_windows():
    ids = np.arange(1000, dtype=np.int32)
    tr, va, te = textdata.split(ids)
    assert (len(tr), len(va), len(te)) == (900, 50, 50)
    assert np.array_equal(np.concatenate([tr, va, te]), ids)
    w = textdata.char_batches(tr, 16, 8, np.random.default_rng(0))
    assert w.shape == (8, 17) and w.dtype == np.int32
    assert np.all(np.diff(w, axis=1) == 1) and w.max() < 900  # contiguous windows inside the split
    ev = textdata.eval_windows(te, 7)
    assert ev.shape == (7, 8)
    assert np.array_equal(ev[:, 1:].reshape(-1), te[1:50])  # every target predicted once
    with pytest.raises(ValidationError):
        textdata.char_batches(ids[:5], 16, 2, np.random.default_rng(0))


@pytest.mark.parametrize("cell", ["egru", "gru"])
def test_tied_embedding_gets_gradient_through_input_and_output(cell):
    # one jitted computation gives the gradient through input, output and the tied parameter
    vocab = textdata.CharVocab(REPEAT)
    model = CharLM(len(vocab), d=8, hidden=16, cell=cell)
    params = model.init(jax.random.PRNGKey(0))
    ids = jnp.asarray(textdata.char_batches(vocab.encode(REPEAT), 12, 4, np.random.default_rng(1)))

    def untied(e_in, e_out):
        p = dict(params, embed=e_in)
        logits, _, _ = model.forward(p, ids[:, :-1], out_embed=e_out)
        return jnp.mean(jax.nn.logsumexp(logits, -1) - jnp.take_along_axis(logits, ids[:, 1:, None], -1)[..., 0])

    @jax.jit
    def grads(E):
        g_in, g_out = jax.grad(untied, argnums=(0, 1))(E, E)
        return g_in, g_out, jax.grad(lambda e: model.loss(dict(params, embed=e), ids))(E)

    g_in, g_out, g_tied = grads(params["embed"])
    assert float(jnp.abs(g_in).sum()) > 0 and float(jnp.abs(g_out).sum()) > 0
    np.testing.assert_allclose(np.asarray(g_tied), np.asarray(g_in + g_out), rtol=1e-4, atol=1e-7)
    # input path touches only the rows of tokens that were read; the output path reaches every row
    seen = np.zeros(len(vocab), bool)
    seen[np.unique(np.asarray(ids[:, :-1]))] = True
    assert np.all(np.asarray(g_in)[~seen] == 0)
    assert np.all(np.abs(np.asarray(g_out)).sum(1) > 0)
    assert params["embed"].shape == (len(vocab), 8) and "out" not in params  # one matrix, used twice


@pytest.mark.parametrize("cell", ["egru", "gru"])
def test_tiny_model_learns_repetitive_string(cell):
    vocab = textdata.CharVocab(REPEAT)
    ids = vocab.encode(REPEAT)
    model = CharLM(len(vocab), d=16, hidden=32, cell=cell)
    params = model.init(jax.random.PRNGKey(1))
    opt = make_optimizer(lr=1e-2, clip=1.0)
    state = opt.init(params)
    step = make_train_step(model, opt)
    rng = np.random.default_rng(0)
    fixed = jnp.asarray(textdata.char_batches(ids, 24, 16, rng))
    loss = jax.jit(model.loss)
    before = float(loss(params, fixed))
    key = jax.random.PRNGKey(2)
    for _ in range(30):
        key, k = jax.random.split(key)
        params, state, _ = step(params, state, jnp.asarray(textdata.char_batches(ids, 24, 16, rng)), k)
    after = float(loss(params, fixed))
    assert np.isfinite(after) and after < 0.6 * before, (before, after)


def test_bits_per_char_is_loss_over_ln2_and_evaluate():
    vocab = textdata.CharVocab(REPEAT)
    ids = vocab.encode(REPEAT)
    model = CharLM(len(vocab), d=8, hidden=16, cell="egru")
    params = model.init(jax.random.PRNGKey(3))
    w = jnp.asarray(textdata.eval_windows(ids, 16))
    loss = float(model.loss(params, w))
    assert float(model.bits_per_char(params, w)) == pytest.approx(loss / math.log(2), rel=1e-6)
    assert float(bits_per_char(math.log(2))) == pytest.approx(1.0)
    # untrained model ≈ uniform over the vocabulary
    assert loss == pytest.approx(math.log(len(vocab)), rel=0.25)
    r = evaluate(model, params, ids, seq_len=16, batch_size=16)
    assert r["bpc"] == pytest.approx(r["loss"] / math.log(2))
    assert r["loss"] == pytest.approx(loss, rel=1e-4)  # same windows, batched differently
    assert len(r["activity_sparsity"]) == 1 and 0.0 <= r["activity_sparsity"][0] <= 1.0
    gru = CharLM(len(vocab), d=8, hidden=16, cell="gru")
    assert evaluate(gru, gru.init(jax.random.PRNGKey(4)), ids, seq_len=16)["activity_sparsity"] == [0.0]


def test_bad_model_arguments():
    with pytest.raises(ValidationError):
        CharLM(10, cell="lstm")
    with pytest.raises(ValidationError):
        CharLM(0)
    model = CharLM(5, d=4, hidden=8, cell="gru")
    with pytest.raises(ValidationError):
        model.forward(model.init(jax.random.PRNGKey(0)), jnp.zeros((3,), jnp.int32))
