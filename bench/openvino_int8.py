"""Issue 16 target 1: is int8 on AMX worth it for MiniLM? OpenVINO bf16 vs an int8 build.

    python bench/openvino_int8.py [--n 1500] [--ag-n 2000] [--rounds 2]

AMX does int8 tile products at twice its bfloat16 rate, so int8 is the one path with a
higher peak than segkit's bf16 engine. This builds int8 variants of segkit's own IR (the
`minilm` OpenVINO model in the cache, float32 weights) with FakeQuantize nodes, which
OpenVINO's CPU plugin turns into u8 x i8 FullyConnected kernels on AMX: every one of the
36 Linear layers gets per-output-channel symmetric int8 weights and one per-tensor
activation range, the max |x| seen on 300 calibration reviews (another seed than the timed
ones), real tokens only. That is the fastest int8 form (one scale per activation tensor),
so its speed is the ceiling of what int8 Linear layers can give here; its agreement with
float32 shows what it costs. (A first SmoothQuant try, a per-channel Multiply before each
FakeQuantize, gave mean cosine 0.55 and was not pursued: the speed ceiling measured here
makes int8 not worth fixing.)

It is timed like segkit's engine (length-sorted batches of 16, widths rounded to 16, one
stream per core), interleaved over rounds, against segkit's bf16 engine and the float32 IR,
with the mean and 1st-percentile cosine to float32 and K-means true-K ARI on ag_news_test
and womens_clothing. Nothing here is used by segkit; it records why int8 was not adopted.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the repository on sys.path)
from embed_speed import ag_news_texts, kmeans_ari, review_texts, unit_rows

from segkit.embed.minilm import _length_batches, model_dir
from segkit.embed.minilm_openvino import WIDTH_MULTIPLE, ensure_ir, padded


def _tokenised(texts: list[str]) -> list[list[int]]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.no_padding()
    return [encoding.ids for encoding in tokenizer.encode_batch(texts)]


def _linear_layers(model) -> list:
    return [op for op in model.get_ordered_ops() if op.get_type_name() == "MatMul"
            and op.input(1).get_source_output().get_node().get_type_name() == "Constant"]


def activation_absmax(core, xml: str, ids: list[list[int]]) -> list[np.ndarray]:
    """Per input channel max |x| of every Linear layer's input, over real tokens."""
    model = core.read_model(xml)
    sources = [layer.input(0).get_source_output() for layer in _linear_layers(model)]
    unique: list = []
    for source in sources:
        if not any(source == seen for seen in unique):
            unique.append(source)
    where = [next(i for i, seen in enumerate(unique) if seen == source) for source in sources]
    model.add_outputs(unique)
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    absmax = [np.zeros(0, np.float32)] * len(unique)
    for rows in _length_batches(ids, 16, 0):
        input_ids, mask = padded([ids[i] for i in rows])
        outputs = compiled({"input_ids": input_ids, "attention_mask": mask})
        real = mask.astype(bool)
        for k in range(len(unique)):
            seen = np.abs(outputs[compiled.outputs[k + 1]][real]).max(axis=0)
            absmax[k] = seen if absmax[k].size == 0 else np.maximum(absmax[k], seen)
    return [absmax[k] for k in where]


def int8_model(core, xml: str, absmax: list[np.ndarray]):
    """The IR with FakeQuantize on every Linear layer's input and int8 weights."""
    import openvino.opset13 as ops

    model = core.read_model(xml)
    for layer, channel_max in zip(_linear_layers(model), absmax, strict=True):
        weights = layer.input(1).get_source_output().get_node().get_data().astype(np.float32)
        source = layer.input(0).get_source_output()
        limit = float(channel_max.max())
        low, high = ops.constant(np.float32(-limit)), ops.constant(np.float32(limit))
        quantised = ops.fake_quantize(source, low, high, low, high, 256)
        weight_max = np.maximum(np.abs(weights).max(axis=1, keepdims=True), 1e-8).astype(np.float32)
        int8 = np.clip(np.round(weights / weight_max * 127), -127, 127).astype(np.int8)
        dequantised = ops.multiply(ops.convert(ops.constant(int8), "f32"), ops.constant(weight_max / 127))
        layer.input(0).replace_source_output(quantised.output(0))
        layer.input(1).replace_source_output(dequantised.output(0))
    model.validate_nodes_and_infer_types()
    return model


class Engine:
    """A compiled model run the way segkit's OpenVINO engine runs it."""

    def __init__(self, core, model, precision: str) -> None:
        import openvino as ov

        streams = 2
        self.compiled = core.compile_model(model, "CPU", {
            "INFERENCE_PRECISION_HINT": precision, "NUM_STREAMS": streams, "INFERENCE_NUM_THREADS": streams})
        self.queue = ov.AsyncInferQueue(self.compiled, streams)

    def embed(self, ids: list[list[int]]) -> np.ndarray:
        out = np.empty((len(ids), 384), np.float32)

        def done(request, rows) -> None:
            out[rows] = request.get_output_tensor(0).data

        self.queue.set_callback(done)
        for rows in _length_batches(ids, 16, 0):
            input_ids, mask = padded([ids[i] for i in rows], WIDTH_MULTIPLE)
            self.queue.start_async({"input_ids": input_ids, "attention_mask": mask}, rows)
        self.queue.wait_all()
        return unit_rows(out)

    def fc_kernels(self) -> str:
        from collections import Counter

        counts = Counter(
            f"{op.get_rt_info()['primitiveType'].astype(str)} ({op.get_rt_info()['runtimePrecision'].astype(str)})"
            for op in self.compiled.get_runtime_model().get_ordered_ops()
            if op.get_rt_info()["layerType"].astype(str) == "FullyConnected")
        return ", ".join(f"{k} x{v}" for k, v in counts.items())


def main(argv: list[str] | None = None) -> int:
    import openvino as ov
    from common import load_average, print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1500, help="womens_clothing reviews timed")
    parser.add_argument("--ag-n", type=int, default=2000, help="texts per ARI set")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    core = ov.Core()
    xml = str(ensure_ir() / "model.xml")
    absmax = activation_absmax(core, xml, _tokenised(review_texts(300, seed=7)))
    engines = {
        "float32": Engine(core, xml, "f32"),
        "bf16 (segkit)": Engine(core, xml, "bf16"),
        "int8 per-tensor": Engine(core, int8_model(core, xml, absmax), "bf16"),
    }
    texts = review_texts(args.n, seed=0)
    ids = _tokenised(texts)
    for engine in engines.values():
        engine.embed(ids[:64])
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(max(1, args.rounds)):
        for name, engine in engines.items():
            start = time.perf_counter()
            vectors[name] = engine.embed(ids)
            best[name] = min(best.get(name, np.inf), time.perf_counter() - start)
    from datasets import womens_clothing

    ag_texts, ag_labels = ag_news_texts(args.ag_n, seed=0)
    womens = womens_clothing(args.ag_n, seed=0)
    ag_ids, w_ids = _tokenised(ag_texts), _tokenised(womens["text"].tolist())
    rows = []
    for name, engine in engines.items():
        cosine = np.sum(vectors[name] * vectors["float32"], axis=1)
        rows.append({
            "build": name,
            "texts/s": round(args.n / best[name], 1),
            "vs bf16": f"{best['bf16 (segkit)'] / best[name]:.2f}x",
            "cos mean": round(float(cosine.mean()), 5),
            "cos p1": round(float(np.percentile(cosine, 1)), 4),
            "ARI ag_news": round(kmeans_ari(engine.embed(ag_ids), ag_labels), 3),
            "ARI womens": round(kmeans_ari(engine.embed(w_ids), womens["label"].to_numpy()), 3),
            "FullyConnected kernels": engine.fc_kernels(),
        })
    print_table(f"MiniLM on OpenVINO: bf16 vs int8 on AMX ({args.n} womens_clothing reviews, best of "
                f"{args.rounds} interleaved rounds; load average {load_average()})", rows,
                "Agreement needed (issue 16): mean cosine >= 0.99 and ARI within 0.01 of float32.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
